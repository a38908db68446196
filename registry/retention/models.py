"""One purge batch: when, by whom, up to which closing date, what it removed and its purge list (CSV blob)."""

from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, utcnow


class PurgeBatch(Base):
    """A run of `inkan registry purge` or of the admin page: the records closed before ``closed_before``."""

    __tablename__ = "purge_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_at: Mapped[datetime] = mapped_column(default=utcnow)
    run_by: Mapped[str] = mapped_column(String(100))
    closed_before: Mapped[date]
    retention_years: Mapped[int]
    records: Mapped[int] = mapped_column(default=0)
    history_rows: Mapped[int] = mapped_column(default=0)
    blobs: Mapped[int] = mapped_column(default=0)
    list_blob: Mapped[str | None] = mapped_column(String(64))  # the purge list (CSV) in the blob table
