"""`inkan definitions …`: the city's process definitions (the versions in the database) as files."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from engine.library.bundle import write_directory
from webui.wiring import product


@click.group("definitions")
def definitions() -> None:
    """業務フロー定義（データベース内の版）の管理。"""


@definitions.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(directory: Path) -> None:
    """有効な版を DIRECTORY に書き出す（名前.bpmn・forms/*.json・cases/名前.json。bpmn/ と同じ配置）。"""
    with product().session_factory() as session:
        written = write_directory(session, directory)
    for path in written:
        click.echo(f"書き出しました: {path}")
    if not written:
        click.echo("有効な業務フロー定義がありません（inkan init で bpmn/ を読み込みます）", err=True)
