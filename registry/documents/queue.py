"""The print queue: documents waiting for a batch, claimed by one batch job at a time, marked printed at its end."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.documents.models import JobStatus, PrintBatchJob, PrintQueueItem, QueueStatus
from registry.seals.models import Application

__all__ = ["application_of_instance", "claim_items", "items_of_job", "letter_of_application", "new_job",
           "queued_counts", "queued_items", "recent_jobs", "release_claims", "stale_jobs", "unmailed_letters",
           "unprinted_item"]

INQUIRY_LETTER = "inquiry_letter"


def unprinted_item(session: Session, document: str, *, registration_id: int | None,
                   application_id: int | None) -> PrintQueueItem | None:
    """The queued (not yet printed) item of this document for this record or application, if any."""
    query = select(PrintQueueItem).where(PrintQueueItem.document == document,
                                         PrintQueueItem.status == QueueStatus.QUEUED,
                                         PrintQueueItem.registration_id == registration_id,
                                         PrintQueueItem.application_id == application_id)
    return session.scalars(query).first()


def new_job(session: Session, document: str, *, queued_on, created_by: str) -> PrintBatchJob:
    job = PrintBatchJob(document=document, queued_on=queued_on, created_by=created_by, status=JobStatus.RUNNING)
    session.add(job)
    session.flush()
    return job


def claim_items(session: Session, job: PrintBatchJob, *, since: datetime | None, until: datetime | None) -> int:
    """Give every unclaimed queued item of the job's document (queued in [since, until)) to the job; the count.

    One UPDATE: a concurrent job waits on the rows' locks and then skips the ones this job took.
    """
    conditions = [PrintQueueItem.document == job.document, PrintQueueItem.status == QueueStatus.QUEUED,
                  PrintQueueItem.batch_job_id.is_(None)]
    if since is not None:
        conditions += [PrintQueueItem.queued_at >= since, PrintQueueItem.queued_at < until]
    # an UPDATE answers with a CursorResult (its row count); Session.execute is typed for any statement
    result = cast("CursorResult[Any]", session.execute(
        update(PrintQueueItem).where(*conditions).values(batch_job_id=job.id)
        .execution_options(synchronize_session=False)))
    return result.rowcount


def release_claims(session: Session, job_id: int) -> None:
    """Give the job's unprinted items back to the queue (cancelled or failed job)."""
    session.execute(update(PrintQueueItem).where(PrintQueueItem.batch_job_id == job_id,
                                                 PrintQueueItem.status == QueueStatus.QUEUED)
                    .values(batch_job_id=None).execution_options(synchronize_session=False))


def items_of_job(session: Session, job_id: int) -> list[PrintQueueItem]:
    return list(session.scalars(select(PrintQueueItem).where(PrintQueueItem.batch_job_id == job_id)
                                .order_by(PrintQueueItem.queued_at, PrintQueueItem.id)))


def queued_items(session: Session, document: str | None = None, limit: int = 500) -> list[PrintQueueItem]:
    """Items still waiting (including those a running job holds), oldest first."""
    query = select(PrintQueueItem).where(PrintQueueItem.status == QueueStatus.QUEUED)
    if document:
        query = query.where(PrintQueueItem.document == document)
    return list(session.scalars(query.order_by(PrintQueueItem.queued_at, PrintQueueItem.id).limit(limit)))


def queued_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(PrintQueueItem.document, func.count()).where(
        PrintQueueItem.status == QueueStatus.QUEUED).group_by(PrintQueueItem.document))
    return {document: count for document, count in rows}


def recent_jobs(session: Session, limit: int = 20) -> list[PrintBatchJob]:
    return list(session.scalars(select(PrintBatchJob).order_by(PrintBatchJob.id.desc()).limit(limit)))


def stale_jobs(session: Session, older_than: datetime) -> list[PrintBatchJob]:
    """Running jobs that reported no progress since ``older_than`` (their process ended mid-batch)."""
    return list(session.scalars(select(PrintBatchJob).where(PrintBatchJob.status == JobStatus.RUNNING,
                                                            PrintBatchJob.updated_at < older_than)))


def touch(job: PrintBatchJob) -> None:
    job.updated_at = utcnow()


def application_of_instance(session: Session, instance_id: int) -> Application | None:
    """The application an instance (4.1.4) recorded, for its 照会書."""
    return session.scalars(select(Application).where(Application.instance_id == instance_id)).first()


def letter_of_application(session: Session, application_id: int) -> PrintQueueItem | None:
    """The newest 照会書兼回答書 of a 4.1.4 application (queued, printed or mailed), if one was queued."""
    return session.scalars(select(PrintQueueItem).where(PrintQueueItem.document == INQUIRY_LETTER,
                                                        PrintQueueItem.application_id == application_id)
                           .order_by(PrintQueueItem.id.desc())).first()


def unmailed_letters(session: Session, limit: int = 500) -> list[PrintQueueItem]:
    """Printed 照会書兼回答書 whose mailing nobody recorded yet, oldest print first."""
    return list(session.scalars(select(PrintQueueItem).where(PrintQueueItem.document == INQUIRY_LETTER,
                                                             PrintQueueItem.status == QueueStatus.PRINTED,
                                                             PrintQueueItem.mailed_on.is_(None))
                                .order_by(PrintQueueItem.printed_at, PrintQueueItem.id).limit(limit)))
