"""Batch printing: every queued item of one document (optionally of one day) into ONE PDF, cancellable.

A job claims its items when it starts, reports progress (done of total) after each document, checks for a
cancel request between documents, and marks items printed only in the transaction that stores the finished PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

import printing
from handlers.base import HandlerError
from handlers.environment import JST, HandlerServices
from handlers.operators.print_queue import DOCUMENTS, render_item
from handlers.services.sheets import printing_office
from registry.blobs.store import put_blob
from registry.db import utcnow
from registry.documents import queue
from registry.documents.models import JobStatus, PrintBatchJob, PrintQueueItem, QueueStatus
from registry.errors import RecordNotFound
from registry.seals import records

__all__ = ["STALE_AFTER", "JobProgress", "progress_of", "request_cancel", "run_batch", "start_batch"]

STALE_AFTER = timedelta(minutes=15)
JOB_STATUS_LABELS = {JobStatus.RUNNING: "印刷中", JobStatus.DONE: "完了", JobStatus.CANCELLED: "取消",
                     JobStatus.FAILED: "失敗"}


@dataclass(frozen=True)
class JobProgress:
    """A job as the progress bar shows it."""

    job_id: int
    document: str
    status: str
    status_label: str
    done: int
    total: int
    failed: int
    blob_sha256: str | None
    message: str | None

    @property
    def finished(self) -> bool:
        return self.status in JobStatus.FINISHED


def start_batch(session: Session, document: str, *, queued_on: date | None, actor: Any) -> int:
    """Create a job holding every unclaimed queued ``document`` (of ``queued_on``, a local day); its id.

    Raises HandlerError unknown_document, or nothing_queued when there is nothing to print.
    """
    if document not in DOCUMENTS:
        raise HandlerError(f"一括印刷の帳票 {document} はありません", code="unknown_document")
    _give_up_stale_jobs(session)
    job = queue.new_job(session, document, queued_on=queued_on, created_by=actor.username)
    since = until = None
    if queued_on is not None:
        since = _local_midnight_utc(queued_on)
        until = since + timedelta(days=1)
    job.total = queue.claim_items(session, job, since=since, until=until)
    if job.total == 0:
        raise HandlerError(f"印刷待ちの{DOCUMENTS[document]}はありません", code="nothing_queued")
    return job.id


def run_batch(session_factory: sessionmaker[Session], services: HandlerServices, job_id: int, *, actor: Any,
              should_stop: Callable[[], bool] = lambda: False,
              on_progress: Callable[[int, int], None] | None = None) -> JobProgress:
    """Render the job's items one by one into one PDF and finish the job (done, or cancelled when asked).

    Progress is committed after each document; a cancel (``should_stop`` or the job's cancel flag) is honoured
    between documents and leaves every item queued. An item that cannot be printed stays queued with its error.
    """
    with session_factory() as session:
        items = queue.items_of_job(session, job_id)
        office = services.office(session)
    rendered: list[tuple[int, bytes]] = []
    failures: dict[int, str] = {}
    for index, item in enumerate(items):
        if should_stop() or _cancel_requested(session_factory, job_id):
            return _finish(session_factory, services, job_id, actor, [], {}, cancelled=True)
        try:
            rendered.append((item.id, render_item(item, office, services.today())))
        except printing.PrintingError as exc:
            failures[item.id] = exc.message
        _report(session_factory, job_id, index + 1, len(failures))
        if on_progress:
            on_progress(index + 1, len(items))
    return _finish(session_factory, services, job_id, actor, rendered, failures, cancelled=should_stop())


def request_cancel(session: Session, job_id: int) -> bool:
    """Ask a running job to stop after the current document; False when it has already finished."""
    job = session.get(PrintBatchJob, job_id, with_for_update=True)
    if job is None:
        raise RecordNotFound("一括印刷のジョブが見つかりません")
    if job.status != JobStatus.RUNNING:
        return False
    job.cancel_requested = True
    return True


def progress_of(session: Session, job_id: int) -> JobProgress:
    """Raise RecordNotFound for an unknown job."""
    job = session.get(PrintBatchJob, job_id)
    if job is None:
        raise RecordNotFound("一括印刷のジョブが見つかりません")
    return JobProgress(job.id, job.document, job.status, JOB_STATUS_LABELS.get(job.status, job.status), job.done,
                       job.total, job.failed, job.blob_sha256, job.message)


def _finish(session_factory, services: HandlerServices, job_id: int, actor: Any, rendered: list[tuple[int, bytes]],
            failures: dict[int, str], *, cancelled: bool) -> JobProgress:
    """One transaction: the combined PDF, the items marked printed (each an issued document), the audit event."""
    with session_factory.begin() as session:
        job = session.get(PrintBatchJob, job_id, with_for_update=True)
        if cancelled or job.cancel_requested:
            _close(job, JobStatus.CANCELLED, f"取り消しました（{job.done} / {job.total} 件まで作成、印刷済みにはしていません）")
        elif not rendered:
            _close(job, JobStatus.FAILED, "印刷できる帳票がありませんでした")
        else:
            _mark_printed(session, job, actor, rendered, issuer=printing_office(services.office(session)).issuer,
                          dated=services.now(), printed_at=services.utcnow())
            _close(job, JobStatus.DONE, f"{len(rendered)} 件を1つのPDFにしました" +
                   (f"（{len(failures)} 件は印刷できず待ち行列に残しました）" if failures else ""))
        for item_id, message in failures.items():
            session.get(PrintQueueItem, item_id).error = message
        queue.release_claims(session, job.id)
        services.record_audit(session, actor, "print_batch", title=f"一括印刷 {DOCUMENTS[job.document]}",
                              summary={"job_id": job.id, "document": job.document, "status": job.status,
                                       "printed": [item_id for item_id, _ in rendered] if job.blob_sha256 else [],
                                       "failed": failures, "blob": job.blob_sha256})
        return progress_of(session, job.id)


def _mark_printed(session: Session, job: PrintBatchJob, actor: Any, rendered: list[tuple[int, bytes]], *,
                  issuer: str, dated: datetime, printed_at: datetime) -> None:
    """`printed_at` comes from the product's clock, as `dated` (the date on the PDF) does: the letter's mailing
    date is checked against it (mailing.mark_mailed), which reads the same clock."""
    label = DOCUMENTS[job.document]
    combined = printing.combined_document([pdf for _, pdf in rendered], title=f"一括印刷 {label}", author=issuer,
                                          subject=f"{label} {len(rendered)}件（一括印刷 {job.id}）", dated=dated)
    job.blob_sha256 = put_blob(session, combined, "application/pdf", filename=f"batch_{job.document}_{job.id}.pdf",
                               created_by=actor.username)
    for item_id, pdf in rendered:
        item = session.get_one(PrintQueueItem, item_id)
        filename = f"{job.document}_{item.id}.pdf"
        item.blob_sha256 = put_blob(session, pdf, "application/pdf", filename=filename, created_by=actor.username)
        item.status, item.printed_at, item.error = QueueStatus.PRINTED, printed_at, None
        if item.registration_id is not None:
            record = records.get_registration(session, item.registration_id)
            records.record_document(session, record, kind=label, blob_sha256=item.blob_sha256, filename=filename,
                                    printed_by=actor.username, instance_id=item.instance_id)


def _close(job: PrintBatchJob, status: str, message: str) -> None:
    job.status, job.message, job.finished_at, job.updated_at = status, message, utcnow(), utcnow()


def _report(session_factory, job_id: int, done: int, failed: int) -> None:
    with session_factory.begin() as session:
        job = session.get(PrintBatchJob, job_id)
        job.done, job.failed = done, failed
        queue.touch(job)


def _cancel_requested(session_factory, job_id: int) -> bool:
    with session_factory() as session:
        return bool(session.get(PrintBatchJob, job_id).cancel_requested)


def _give_up_stale_jobs(session: Session) -> None:
    """A job whose process ended mid-batch gives its items back, so the queue never stays blocked."""
    for job in queue.stale_jobs(session, utcnow() - STALE_AFTER):
        _close(job, JobStatus.FAILED, "応答がなくなったため中止しました（印刷済みにはしていません）")
        queue.release_claims(session, job.id)


def _local_midnight_utc(day: date) -> datetime:
    """The stored (naive UTC) time at which the local (JST) ``day`` begins."""
    return datetime.combine(day, datetime.min.time(), JST).astimezone(UTC).replace(tzinfo=None)
