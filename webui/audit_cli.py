"""`inkan audit verify|anchor`: check the hash chains and write today's anchors for the operator to copy."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from engine.evidence.anchors import anchor_line, write_anchors
from engine.evidence.verify import ChainReport, verify_snapshot
from webui.templating import JST
from webui.wiring import product

__all__ = ["anchor_file", "audit", "print_reports"]


@click.group("audit")
def audit() -> None:
    """監査証跡（ハッシュ連鎖）の検証と固定値の記録。"""


@audit.command("verify")
@click.option("--since-anchor", is_flag=True, help="固定値を照合し、直近の固定値以降の行だけを検証する（速い）")
@with_appcontext
def verify_command(since_anchor: bool) -> None:
    """監査記録・異動履歴・閲覧記録のハッシュ連鎖を検証し、最初の不整合の行を示す。"""
    if not print_reports(verify_snapshot(product().session_factory, since_anchor=since_anchor)):
        sys.exit(1)


def print_reports(reports: list[ChainReport]) -> bool:
    """One line per chain (problems on stderr); True when every chain is whole."""
    for report in reports:
        if report.ok:
            click.echo(f"{report.name}: 正常（{report.rows} 行、先頭 {report.head_seq} {report.head_hash[:16]}…）")
        else:
            click.echo(f"{report.name}: 不整合 — 行 id={report.broken_id}（連番 {report.broken_seq}）: "
                       f"{report.problem}", err=True)
    return all(report.ok for report in reports)


@audit.command("anchor")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="追記するファイル（既定: instance/anchors/anchors.tsv）")
@with_appcontext
def anchor_command(out: str | None) -> None:
    """今日の連鎖の先頭を固定値として表とファイルに記録する（ファイルは別の場所へ複写してください）。"""
    today = datetime.now(JST).date()
    with product().session_factory.begin() as session:
        lines = [anchor_line(a) for a in write_anchors(session, today, "inkan-audit-anchor")]
    path = Path(out) if out else anchor_file(current_app.instance_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.writelines(line + "\n" for line in lines)
    for line in lines:
        click.echo(line)
    click.echo(f"固定値を {path} に追記しました。このファイルを別の場所に保管してください。")


def anchor_file(instance_path: str) -> Path:
    return Path(instance_path) / "anchors" / "anchors.tsv"
