"""A clerk marks a change file's refused rows as dealt with (the 連動 page)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from juki.linkage.cursor import naive_utc
from juki.linkage.models import LinkageFile

__all__ = ["resolve_file_errors"]


def resolve_file_errors(session: Session, file_id: int, username: str, now: datetime) -> LinkageFile | None:
    """Mark the file's errors checked; None when there is no such file with open errors."""
    record = session.get(LinkageFile, file_id)
    if record is None or record.errors_json == "[]" or record.resolved_at is not None:
        return None
    record.resolved_at, record.resolved_by = naive_utc(now), username
    return record
