"""Tables of the registry's linkage with the register: where each way in stands, and the change files read.

Times are naive UTC, like every timestamp of the product. ``recorded_at`` values are the register's own
recording times of the changes (also naive UTC).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from juki.db import Base

__all__ = ["LinkageCursor", "LinkageFile"]


class LinkageCursor(Base):
    """How far one way in ('pull' or 'file') has taken in the register's changes; one row per way.

    The row is also the lock of that way: a worker takes it ``FOR UPDATE SKIP LOCKED`` for one page of the feed
    (or one file) and updates it in the same transaction as the events it covers, so several workers never take
    in the same page twice and a restart resumes from the committed cursor.
    """

    __tablename__ = "juki_linkage_cursor"

    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    cursor: Mapped[str] = mapped_column(String(200), default="")  # the register's feed cursor ('pull' only)
    checked_at: Mapped[datetime | None]  # the last successful look at the feed / the folder
    moved_at: Mapped[datetime | None]  # the last time new changes were taken in
    newest_recorded_at: Mapped[datetime | None]  # when the register recorded the newest change taken in
    received: Mapped[int] = mapped_column(default=0)  # changes taken in (new event ids)
    duplicates: Mapped[int] = mapped_column(default=0)  # changes whose event id was already received
    next_attempt_at: Mapped[datetime | None]  # not asked again before (the period, or the back-off)
    failures: Mapped[int] = mapped_column(default=0)  # consecutive failed attempts
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]


class LinkageFile(Base):
    """One change file taken in from INKAN_JUKI_FILE_DIR, with its counts and the rows refused.

    ``errors_json`` is a list of {"line", "event_id", "message"} (line None: the whole file). A file with errors
    stays listed on the 連動 page until a clerk marks it checked.
    """

    __tablename__ = "juki_linkage_file"
    __table_args__ = (UniqueConstraint("name", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    processed_at: Mapped[datetime]
    rows: Mapped[int]
    accepted: Mapped[int]
    duplicates: Mapped[int]
    rejected: Mapped[int]
    errors_json: Mapped[str] = mapped_column(Text, default="[]")
    archived_as: Mapped[str | None] = mapped_column(String(255))
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(100))
