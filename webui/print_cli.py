"""`inkan print queue|batch`: the print queue and batch printing from the terminal (progress, Ctrl+C to cancel)."""

from __future__ import annotations

import signal
import sys
import threading
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from handlers.base import HandlerError
from handlers.batch import run_batch, start_batch
from handlers.documents import document_for_viewing
from handlers.print_queue import DOCUMENTS
from handlers.services import Operator, to_jst
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
