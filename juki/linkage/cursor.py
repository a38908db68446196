"""The per-way cursor row: taken with SKIP LOCKED so one worker at a time reads a way in; created on first use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from juki.linkage.models import LinkageCursor

__all__ = ["claim_cursor", "is_due", "naive_utc", "note_failure", "note_recovered", "note_taken_in"]

MAX_BACKOFF_SECONDS = 900.0  # the longest wait between two attempts while the register keeps failing


def claim_cursor(session: Session, source: str) -> LinkageCursor | None:
    """Lock and return the cursor row of ``source`` (creating it); None while another worker holds it.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED``. SQLite: every transaction of the product starts with BEGIN IMMEDIATE
    (engine/database.py), so a second worker waits for the first one's commit and then reads the moved cursor.
    """
    row = _locked(session, source)
    if row is not None:
        return row
    if session.scalars(select(LinkageCursor.source).where(LinkageCursor.source == source)).first() is not None:
        return None  # it exists: another worker holds it
    try:
        with session.begin_nested():
            session.add(LinkageCursor(source=source, cursor="", received=0, duplicates=0, failures=0))
    except IntegrityError:
        return None  # created by another worker at the same moment
    return _locked(session, source)


def is_due(row: LinkageCursor, now: datetime) -> bool:
    """True when the period (or the back-off after a failure) has passed."""
    return row.next_attempt_at is None or row.next_attempt_at <= naive_utc(now)


def naive_utc(moment: datetime) -> datetime:
    """A time as stored: naive UTC (a naive value is taken as UTC already)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _locked(session: Session, source: str) -> LinkageCursor | None:
    return session.scalars(select(LinkageCursor).where(LinkageCursor.source == source)
                           .with_for_update(skip_locked=True)).first()


def note_taken_in(row: LinkageCursor, events: list, new: int, duplicates: int, now: datetime) -> None:
    """Record a successful look that took in ``events`` (``new`` of them not received before)."""
    moment = naive_utc(now)
    row.checked_at = moment
    row.received, row.duplicates = row.received + new, row.duplicates + duplicates
    if events:
        row.moved_at = moment
        newest = max(naive_utc(event.recorded_at) for event in events)
        row.newest_recorded_at = max(newest, row.newest_recorded_at or newest)


def note_recovered(row: LinkageCursor, now: datetime, period: float) -> int:
    """Clear the failure count and schedule the next look after ``period``; return the failures cleared."""
    failures, row.failures = row.failures, 0
    row.next_attempt_at = naive_utc(now) + timedelta(seconds=period)
    return failures


def note_failure(row: LinkageCursor, message: str, now: datetime, period: float) -> bool:
    """Record a failed look and back off (period, ×2 each time, at most 15 minutes); True for the first failure."""
    moment = naive_utc(now)
    row.failures += 1
    row.last_error, row.last_error_at = message[:2000], moment
    delay = min(period * 2 ** (row.failures - 1), max(period, MAX_BACKOFF_SECONDS))
    row.next_attempt_at = moment + timedelta(seconds=delay)
    return row.failures == 1
