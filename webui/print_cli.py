"""`inkan print queue|batch|mailed`: the print queue, batch printing from the terminal (progress, Ctrl+C to cancel)
and recording that printed 照会書兼回答書 were mailed."""

from __future__ import annotations

import signal
import sys
import threading
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from handlers.base import HandlerError
from handlers.environment import Operator, to_jst
from handlers.operators.print_queue import DOCUMENTS
from handlers.services.batch import run_batch, start_batch
from handlers.services.documents import document_for_viewing
from handlers.services.mailing import mark_job_mailed, mark_mailed
from registry.documents import queue
from registry.documents.models import JobStatus
from webui.wiring import product

__all__ = ["print_group"]

CLI_ACTOR = Operator("inkan-cli", "backyard")
EXIT_CANCELLED = 130


@click.group("print")
def print_group() -> None:
    """帳票の一括印刷（抹消通知書・照会書兼回答書）。"""


@print_group.command("queue")
@click.option("--document", type=click.Choice(list(DOCUMENTS)), default=None, help="帳票の種類で絞り込む")
@with_appcontext
def queue_command(document: str | None) -> None:
    """印刷待ちの帳票を一覧表示する。"""
    with product().session_factory() as session:
        items = queue.queued_items(session, document)
        for item in items:
            state = f"ジョブ {item.batch_job_id} が印刷中" if item.batch_job_id else "待ち"
            click.echo(f"{item.id:>6}  {DOCUMENTS[item.document]:<12}  {to_jst(item.queued_at):%Y-%m-%d %H:%M}  "
                       f"{item.subject_name}  （{state}）")
    click.echo(f"印刷待ち: {len(items)} 件")
    if document in (None, queue.INQUIRY_LETTER):
        with product().session_factory() as session:
            letters = queue.unmailed_letters(session)
        for letter in letters:
            click.echo(f"{letter.id:>6}  {DOCUMENTS[letter.document]:<12}  {to_jst(letter.printed_at):%Y-%m-%d %H:%M}  "
                       f"{letter.subject_name}  （印刷済み・郵送の記録待ち）")
        click.echo(f"郵送の記録待ち: {len(letters)} 件（inkan print mailed で記録）")


@print_group.command("mailed")
@click.argument("item_ids", nargs=-1, type=int)
@click.option("--job", "job_id", type=int, default=None, help="この一括印刷ジョブの照会書兼回答書をすべて")
@click.option("--date", "mailed_on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="郵送日（YYYY-MM-DD、既定は今日）")
@with_appcontext
def mailed_command(item_ids: tuple[int, ...], job_id: int | None, mailed_on) -> None:
    """印刷した照会書兼回答書を郵送済みにする（郵送日を記録し、監査ログに残す）。"""
    if bool(item_ids) == (job_id is not None):
        raise click.UsageError("帳票の番号（inkan print queue の #）か --job のどちらか一方を指定してください")
    day = mailed_on.date() if mailed_on else None
    prod = product()
    try:
        with prod.session_factory.begin() as session:
            if job_id is not None:
                marked = mark_job_mailed(session, prod.services, job_id, mailed_on=day, actor=CLI_ACTOR)
            else:
                marked = mark_mailed(session, prod.services, list(item_ids), mailed_on=day, actor=CLI_ACTOR)
    except HandlerError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"郵送済みにしました: {len(marked)} 通（{', '.join(f'#{i}' for i in marked)}）")


@print_group.command("batch")
@click.option("--document", required=True, type=click.Choice(list(DOCUMENTS)), help="印刷する帳票")
@click.option("--date", "queued_on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="この日（YYYY-MM-DD）に受け付けた分だけ")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="PDFの保存先（既定: batch_<帳票>_<ジョブ>.pdf）")
@with_appcontext
def batch_command(document: str, queued_on, output: str | None) -> None:
    """待ち行列の帳票を1つのPDFにまとめる。Ctrl+C で取り消し（印刷済みにはならない）。"""
    prod = product()
    day: date | None = queued_on.date() if queued_on else None
    try:
        with prod.session_factory.begin() as session:
            job_id = start_batch(session, document, queued_on=day, actor=CLI_ACTOR)
    except HandlerError as exc:
        raise click.ClickException(exc.message) from None
    stop = threading.Event()
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set()) if in_main else None
    try:
        result = run_batch(prod.session_factory, prod.services, job_id, actor=CLI_ACTOR, should_stop=stop.is_set,
                           on_progress=lambda done, total: click.echo(f"\r作成中 {done} / {total} 件", nl=False))
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous)
    click.echo("")
    click.echo(result.message or "")
    if result.status == JobStatus.CANCELLED:
        sys.exit(EXIT_CANCELLED)
    if result.status != JobStatus.DONE:
        sys.exit(1)
    with prod.session_factory() as session:
        pdf = document_for_viewing(session, "batch", job_id, actor=CLI_ACTOR, purpose="download")
    path = Path(output or pdf.filename)
    path.write_bytes(pdf.data)
    click.echo(f"PDF: {path}（{len(pdf.data) // 1024} KB）")
