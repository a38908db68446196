"""`inkan backup DIR` / `inkan restore DIR [--force]`: the database, its blobs and the audit anchors, with a
manifest (engine/evidence/backup.py); after a restore the hash chains are checked at once."""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext

from engine.evidence.backup import BackupError, restore_backup, write_backup
from engine.evidence.verify import verify_snapshot
from webui.audit_cli import anchor_file, print_reports
from webui.schema import alembic_config
from webui.wiring import product

__all__ = ["backup_command", "restore_command"]


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    """データベース（添付ファイルを含む）と監査の固定値ファイルを、目録付きで空のフォルダに書き出す。"""
    try:
        manifest = write_backup(current_app.config["DATABASE_URL"], directory, product_version=version("inkan"),
                                anchors_file=anchor_file(current_app.instance_path))
    except BackupError as exc:
        click.echo(f"バックアップできませんでした: {exc.message}", err=True)
        sys.exit(1)
    for name, entry in manifest.files.items():
        click.echo(f"{directory / name}: {entry['bytes']:,} バイト sha256 {entry['sha256'][:16]}…")
    click.echo(f"目録 {directory / 'manifest.json'}: {manifest.database} {manifest.server_version}、"
               f"スキーマ {manifest.schema_revision}、表 {len(manifest.tables)} 個 {manifest.rows:,} 行、"
               f"製品 {manifest.product_version}")


@click.command("restore")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="空でないデータベースを上書きする（中身はすべて置き換わります）")
@with_appcontext
def restore_command(directory: Path, force: bool) -> None:
    """inkan backup のフォルダを設定中のデータベースに復元し、ハッシュ連鎖を検証する（先にサーバとワーカーを止める）。"""
    url = current_app.config["DATABASE_URL"]
    product().session_factory.kw["bind"].dispose()  # none of this process's connections stays on the target
    try:
        result = restore_backup(url, directory, known_revisions=known_revisions(url), force=force,
                                anchors_file=anchor_file(current_app.instance_path))
    except BackupError as exc:
        click.echo(f"復元できませんでした: {exc.message}", err=True)
        sys.exit(1)
    manifest = result.manifest
    replaced = f"（既存の表 {result.replaced_tables} 個を置き換え）" if result.replaced_tables else ""
    click.echo(f"{manifest.created_at} のバックアップを復元しました{replaced}: 表 {len(manifest.tables)} 個 "
               f"{manifest.rows:,} 行、目録と一致しています")
    if result.anchors_added:
        click.echo(f"固定値ファイルに {result.anchors_added} 行を戻しました: {anchor_file(current_app.instance_path)}")
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    if manifest.schema_revision != head:
        click.echo(f"スキーマは版 {manifest.schema_revision} です。inkan init --no-demo で最新（{head}）に移行してください")
    if not print_reports(verify_snapshot(product().session_factory)):
        sys.exit(1)


def known_revisions(url: str) -> set[str]:
    """Every schema revision this product's migrations know."""
    return {script.revision for script in ScriptDirectory.from_config(alembic_config(url)).walk_revisions()}
