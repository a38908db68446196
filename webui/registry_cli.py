"""`inkan registry purge`: remove the 除票 whose retention period has passed, as one logged batch.
`inkan registry orphans [--delete]`: list (or remove) impression rows and blobs nothing uses."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from engine.actor import Actor
from registry.errors import PurgeRefused
from webui.exchange_cli import register as register_exchange
from webui.orphans.service import DEFAULT_GRACE, OrphanReport, find_orphans, sweep_orphans
from webui.purge.service import PurgeOutcome, purge_list_bytes, run_purge
from webui.wiring import product

__all__ = ["registry_group"]

CLI_ACTOR = Actor("inkan-cli", "admin", "管理コマンド")


@click.group("registry")
def registry_group() -> None:
    """印鑑登録原票の管理（移行の取込・書出、保存期間を過ぎた除票の消去、参照されていない印影・ファイルの整理）。"""


register_exchange(registry_group)


@registry_group.command("purge")
@click.option("--before", "before", required=True, help="この日より前に廃止・抹消された除票が対象（YYYY-MM-DD）")
@click.option("--dry-run", is_flag=True, help="消去せず、対象の一覧だけを表示する")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="消去一覧（CSV）の保存先（既定: instance/purge/inkan_purge_<番号>.csv）")
@with_appcontext
def purge_command(before: str, dry_run: bool, out: str | None) -> None:
    """保存期間（INKAN_RETENTION_YEARS）を過ぎた除票を消去し、消去一覧（CSV）を書き出す。"""
    try:
        day = date.fromisoformat(before)
    except ValueError:
        raise click.BadParameter("日付は YYYY-MM-DD の形式で指定してください", param_hint="--before") from None
    try:
        outcome = run_purge(product(), day, CLI_ACTOR, dry_run=dry_run)
    except PurgeRefused as exc:
        click.echo(f"消去できません: {exc.message}", err=True)
        sys.exit(1)
    for line in outcome.lines:
        click.echo(f"{line.registration_number}\t{line.status}\t{line.closed_on.isoformat()}\t{line.close_reason}")
    path = Path(out) if out else None
    if not dry_run and path is None:
        path = Path(current_app.instance_path) / "purge" / f"inkan_purge_{outcome.batch_id}.csv"
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(purge_list_bytes(outcome.lines))
    click.echo(_summary(outcome, path))


def _summary(outcome: PurgeOutcome, path: Path | None) -> str:
    scope = (f"{outcome.closed_before.isoformat()} より前に廃止・抹消された除票 {len(outcome.lines)} 件"
             f"（保存期間 {outcome.retention_years} 年、{outcome.cutoff.isoformat()} 以前に閉じたものまで消去可）")
    written = f"。消去一覧: {path}" if path else ""
    if outcome.dry_run:
        return f"{scope}。--dry-run のため消去していません{written}"
    return (f"{scope}を消去しました（消去番号 {outcome.batch_id}、異動履歴 {outcome.history_rows} 行を墓標に置換、"
            f"ファイル {outcome.blobs} 件を削除）{written}")


@registry_group.command("orphans")
@click.option("--delete", "delete", is_flag=True, help="一覧の印影・ファイルを削除する（既定は一覧の表示だけ）")
@click.option("--grace-hours", type=click.FloatRange(min=0), default=DEFAULT_GRACE.total_seconds() / 3600,
              show_default=True, help="これより新しいファイルは対象外（入力途中の添付を消さないため）")
@with_appcontext
def orphans_command(delete: bool, grace_hours: float) -> None:
    """どの原票にも使われていない印影と、どこからも参照されていないファイルを一覧表示（--delete で削除）する。

    進行中・エラー・停止中の事案が使う印影と、事案のデータや監査記録が名指すファイルは対象になりません。
    """
    grace = timedelta(hours=grace_hours)
    report = sweep_orphans(product(), CLI_ACTOR, grace) if delete else find_orphans(product(), grace)
    for line in report.impressions:
        click.echo(f"印影\t{line.id}\t事案 {line.instance_id or '-'}\t{line.stored_by}\t{line.stored_at:%Y-%m-%d %H:%M}")
    for line in report.blobs:
        click.echo(f"ファイル\t{line.sha256}\t{line.media_type}\t{line.size}\t{line.created_at:%Y-%m-%d %H:%M}")
    click.echo(_orphan_summary(report))


def _orphan_summary(report: OrphanReport) -> str:
    found = (f"参照されていない印影 {len(report.impressions)} 件、ファイル {len(report.blobs)} 件"
             f"（{report.blob_bytes:,} バイト）")
    if report.deleted:
        return f"{found}を削除しました（監査記録 registry_orphans）"
    return f"{found}。削除していません（削除するには --delete）"
