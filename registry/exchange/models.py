"""One run of an import (or its dry run): the files it read, how far it got (the resume checkpoint) and its report."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, utcnow


class RunStatus:
    RUNNING = "running"  # 検証中 / 取込中; a killed run stays here and the next run of the same files resumes it
    DONE = "done"  # every batch committed (or, for a dry run, the report written)
    REFUSED = "refused"  # the check found errors: nothing was imported
    FAILED = "failed"  # stopped by an error; the next run of the same files resumes it
    LABELS = {RUNNING: "実行中", DONE: "完了", REFUSED: "誤りあり（取り込まず）", FAILED: "中断"}


class ExchangeRun(Base):
    """An `inkan registry import` (CLI or /admin/exchange): progress, checkpoint and the problem report.

    `done` is the checkpoint: the first `done` registrations of registrations.csv (with their history and
    certificates) are committed, batch by batch in the same transaction as this counter, so a resumed run starts
    after them and never writes a row twice.
    """

    __tablename__ = "exchange_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the set's CSV files
    source: Mapped[str] = mapped_column(Text)
    dry_run: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.RUNNING)
    phase: Mapped[str] = mapped_column(String(20), default="check")  # check | import | finish
    total: Mapped[int] = mapped_column(default=0)
    checked: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    batches: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    warnings: Mapped[int] = mapped_column(default=0)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    run_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    phase_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    report_blob: Mapped[str | None] = mapped_column(String(64))  # the problem report (CSV) in the blob table
    message: Mapped[str | None] = mapped_column(Text)
