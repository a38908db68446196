"""Issued certificates (6.1), the print queue of batch documents and the batch print jobs that empty it."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, utcnow


class IssuedCertificate(Base):
    """One 印鑑登録証明書: its serial (gapless per year), the record, the channel and its PDF."""

    __tablename__ = "issued_certificate"
    __table_args__ = (UniqueConstraint("year", "sequence", name="uq_issued_certificate_year_sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int]
    sequence: Mapped[int]
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))  # counter | konbini | jidou (自動交付機)
    issued_at: Mapped[datetime]  # local (JST) wall time, as printed
    issued_by: Mapped[str] = mapped_column(String(100))
    blob_sha256: Mapped[str] = mapped_column(String(64), index=True)


class QueueStatus:
    QUEUED = "queued"
    PRINTED = "printed"
    FAILED = "failed"


class PrintQueueItem(Base):
    """A document waiting for batch printing (抹消通知書, 照会書兼回答書) with everything needed to render it."""

    __tablename__ = "print_queue_item"
    __table_args__ = (Index("ix_print_queue_item_document_status", "document", "status", "queued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document: Mapped[str] = mapped_column(String(30))  # deletion_notice | inquiry_letter
    status: Mapped[str] = mapped_column(String(20), default=QueueStatus.QUEUED)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(index=True)
    instance_id: Mapped[int | None] = mapped_column(index=True)
    subject_name: Mapped[str] = mapped_column(String(200))
    payload_json: Mapped[str] = mapped_column(Text)
    queued_by: Mapped[str] = mapped_column(String(100))
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    batch_job_id: Mapped[int | None] = mapped_column(ForeignKey("print_batch_job.id"), index=True)
    printed_at: Mapped[datetime | None]
    blob_sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    # 照会書兼回答書: the day the printed letter went into the mail (as the clerk records it), when and by whom
    mailed_on: Mapped[date | None]
    mailed_at: Mapped[datetime | None]
    mailed_by: Mapped[str | None] = mapped_column(String(100))


class JobStatus:
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"
    FINISHED = (DONE, CANCELLED, FAILED)


class PrintBatchJob(Base):
    """One batch print: the queued items it claimed, its progress (done of total) and the one combined PDF."""

    __tablename__ = "print_batch_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    document: Mapped[str] = mapped_column(String(30))
    queued_on: Mapped[date | None]  # only items queued on this (local) day, when given
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.RUNNING)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    blob_sha256: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
