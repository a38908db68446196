"""`inkan registry import DIR [--dry-run]` and `inkan registry export DIR`: the whole registry in and out
(issue 17; layout in docs/exchange/). Progress with an ETA goes to stderr; the problem report to a CSV file."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from engine.actor import Actor
from webui.exchange.service import ImportOutcome, report_bytes, run_export, run_import
from webui.wiring import product

__all__ = ["export_command", "import_command"]

CLI_ACTOR = Actor("inkan-cli", "admin", "管理コマンド")
PHASES = {"check": "検証", "import": "取込", "export": "書出"}
SHOWN_PROBLEMS = 200


class Bar:
    """One self-overwriting line per phase: 「取込 [#####     ] 12,000/100,000 件 12% 残り約 3分20秒」."""

    def __init__(self) -> None:
        self.phase, self.started, self.last = None, 0.0, 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase != self.phase:
            if self.phase is not None:
                click.echo("", err=True)
            self.phase, self.started = phase, now
        if now - self.last < 0.5 and done < total:
            return
        self.last = now
        share = done / total if total else 1.0
        bar = "#" * int(share * 30)
        eta = ""
        if 0 < done < total:
            left = (now - self.started) / done * (total - done)
            eta = f" 残り約 {int(left // 60)}分{int(left % 60):02d}秒"
        click.echo(f"\r{PHASES.get(phase, phase)} [{bar:<30}] {done:,}/{total:,} 件 {share:.0%}{eta}   ", nl=False,
                   err=True)

    def close(self) -> None:
        if self.phase is not None:
            click.echo("", err=True)


def register(group: click.Group) -> None:
    group.add_command(import_command)
    group.add_command(export_command)


@click.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="検証して問題の一覧を書き出すだけで、取り込まない")
@click.option("--report", "report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="問題の一覧（CSV）の保存先（既定: instance/exchange/import_report_<番号>.csv）")
@click.option("--batch-size", type=click.IntRange(1, 50_000), default=2000, show_default=True,
              help="1回の書き込み（1トランザクション）の原票数")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="印影を測るプロセス数（既定: コア数、最大2）")
@with_appcontext
def import_command(directory: Path, dry_run: bool, report: Path | None, batch_size: int, workers: int | None) -> None:
    """他システムから書き出した原票一式（docs/exchange/ の形式）を検証し、取り込む。

    中断しても、同じファイルで再実行すると続きから取り込みます。取り込み済みの一式をもう一度実行しても何も変わりません。
    """
    bar = Bar()
    try:
        outcome = run_import(product(), directory, CLI_ACTOR, dry_run=dry_run, batch_size=batch_size,
                             workers=workers, progress=bar)
    finally:
        bar.close()
    _print_outcome(outcome, report)
    if outcome.errors:
        sys.exit(1)


def _print_outcome(outcome: ImportOutcome, report: Path | None) -> None:
    if outcome.already_imported:
        click.echo(f"この一式は取り込み済みです（取込番号 {outcome.run_id}）。何も変更していません")
        return
    for problem in outcome.problems[:SHOWN_PROBLEMS]:
        line = "" if problem.line is None else f"{problem.line}行目"
        click.echo(f"{problem.severity}\t{problem.file}\t{line}\t{problem.field}\t{problem.message}",
                   err=problem.severity == "誤り")
    if len(outcome.problems) > SHOWN_PROBLEMS:
        click.echo(f"… ほか {len(outcome.problems) - SHOWN_PROBLEMS} 件（一覧のファイルを見てください）")
    if outcome.problems:
        path = report or Path(current_app.instance_path) / "exchange" / f"import_report_{outcome.run_id}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(report_bytes(outcome.problems))
        click.echo(f"問題の一覧: {path}")
    errors, warnings = len(outcome.errors), len(outcome.problems) - len(outcome.errors)
    sizes = (f"原票 {outcome.registrations:,} 件、異動履歴 {outcome.history:,} 件、証明書 {outcome.certificates:,} 件、"
             f"照会中の申請 {outcome.inquiries:,} 件")
    if outcome.dry_run:
        click.echo(f"検証のみ（--dry-run）: {sizes}。誤り {errors} 件、注意 {warnings} 件。取り込んでいません")
    elif errors:
        click.echo(f"誤り {errors} 件のため取り込んでいません（1件も書き込んでいません）。直して再実行してください", err=True)
    else:
        resumed = f"（{outcome.resumed_from:,} 件目の後から再開）" if outcome.resumed_from else ""
        click.echo(f"取り込みました{resumed}（取込番号 {outcome.run_id}）: {sizes}。注意 {warnings} 件。"
                   "暗証番号は移行していません（未設定）")
        for name, value in sorted(outcome.counters.items()):
            click.echo(f"番号の続き\t{name}\t{value}")
        for line in outcome.anchors:
            click.echo(f"固定値\t{line}")


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(directory: Path) -> None:
    """原票・異動履歴・照会中の申請・証明書・印影を docs/exchange/ の形式で書き出す。"""
    bar = Bar()
    try:
        counts = run_export(product(), directory, CLI_ACTOR, progress=bar)
    finally:
        bar.close()
    click.echo(f"書き出しました: {directory}（原票 {counts.registrations:,} 件、印影 {counts.images:,} 件、"
               f"異動履歴 {counts.history:,} 件、証明書 {counts.certificates:,} 件、照会中の申請 {counts.inquiries:,} 件）")
    if counts.missing_images:
        click.echo(f"印影の画像がない原票 {len(counts.missing_images)} 件（印影ファイルを空欄で書き出しました）: "
                   + "、".join(counts.missing_images[:20]), err=True)
