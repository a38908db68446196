"""The simulator's change log (``juki_sim_change``): each recorded change as the ``ResidentEvent`` it announced.

The row id is the feed cursor: ``changes_since`` hands out events in recording order, so a subscriber that
remembers the last cursor sees every change exactly once, whatever their effective dates.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.client import ChangeFeed
from juki.errors import InvalidQuery
from juki.events import ResidentEvent
from juki.models import SimChange
from juki.normalize import MAX_LIMIT, normalize_key

__all__ = ["change_by_event_id", "change_history", "changes_since", "log_change", "new_event_id", "recent_changes",
           "to_event"]


def new_event_id() -> str:
    """A globally unique event id; the prefix tells where the event was made."""
    return f"sim-{uuid.uuid4().hex}"


def log_change(session: Session, event: ResidentEvent, *, recorded_by: str) -> SimChange:
    """Write the change row of ``event`` (the caller has already applied it to the resident)."""
    row = SimChange(event_id=event.event_id, kind=event.kind, resident_id=event.resident_id,
                    effective_date=event.effective_date, recorded_at=_naive_utc(event.recorded_at),
                    recorded_by=recorded_by, changes_json=json.dumps(event.changes, ensure_ascii=False),
                    cancels_event_id=event.cancels_event_id)
    session.add(row)
    session.flush()
    return row


def to_event(row: SimChange) -> ResidentEvent:
    """The event a change row announced."""
    return ResidentEvent(event_id=row.event_id, kind=row.kind, resident_id=row.resident_id,
                         effective_date=row.effective_date, recorded_at=row.recorded_at.replace(tzinfo=UTC),
                         changes=json.loads(row.changes_json), cancels_event_id=row.cancels_event_id)


def change_by_event_id(session: Session, event_id: str) -> SimChange | None:
    return session.scalars(select(SimChange).where(SimChange.event_id == event_id)).one_or_none()


def change_history(session: Session, resident_id: str) -> list[ResidentEvent]:
    """Every change of one person, by effective date then recording order; raises InvalidQuery if blank."""
    key = normalize_key(resident_id, "住民ID")
    statement = (select(SimChange).where(SimChange.resident_id == key)
                 .order_by(SimChange.effective_date, SimChange.id))
    return [to_event(row) for row in session.scalars(statement)]


def changes_since(session: Session, cursor: str = "", limit: int = 100) -> ChangeFeed:
    """Changes recorded after ``cursor`` in recording order; raises InvalidQuery for a bad cursor or limit."""
    after = parse_cursor(cursor)
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidQuery(f"取得件数は1〜{MAX_LIMIT}件で指定してください。")
    rows = list(session.scalars(select(SimChange).where(SimChange.id > after).order_by(SimChange.id).limit(limit)))
    return ChangeFeed([to_event(row) for row in rows], str(rows[-1].id) if rows else str(after))


def recent_changes(session: Session, limit: int = 50) -> list[SimChange]:
    """The newest change rows first (the simulator page's list)."""
    return list(session.scalars(select(SimChange).order_by(SimChange.id.desc()).limit(limit)))


def parse_cursor(cursor: str | None) -> int:
    """The row id a cursor stands for; "" is the start; raises InvalidQuery otherwise."""
    text = (cursor or "").strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()):
        raise InvalidQuery("カーソルの形式が正しくありません。")
    return int(text)


def now_utc() -> datetime:
    return datetime.now(UTC)


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
