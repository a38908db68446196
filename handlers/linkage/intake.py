"""Resident-register event intake (住民記録連動): every event is stored here before anything acts on it.

The row is the registry's receipt of one ``ResidentEvent``: the unique ``event_id`` makes a second delivery a
no-op, and the outcome columns say what the worker did with it (see ``handlers.linkage.processing``).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import Index, String, Text, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from juki.event_schema import validate_event
from juki.events import ResidentEvent
from registry.db import Base, utcnow

__all__ = ["EventOutcome", "ReceivedEvent", "count_open_incidents", "get_received", "open_incidents", "receive",
           "recent_events"]


class EventOutcome:
    """What processing made of an event; ``None`` on the row means not processed yet."""

    NOT_RELEVANT = "not_relevant"  # the person has no registration: recorded, nothing to do
    STARTED = "started"  # 4.2.2 / 4.3.2 started; instance_id names it
    IGNORED = "ignored"  # recorded but superseded / nothing to change; reason says why
    INCIDENT = "incident"  # needs a バックヤード clerk (unknown resident …); reason says why
    DELIVERED = "delivered"  # handed to the instance waiting for it (a pending 4.1.4 answer); instance_id names it
    LABELS = {NOT_RELEVANT: "対象外（登録なし）", STARTED: "業務開始", IGNORED: "処理不要", INCIDENT: "要確認",
              DELIVERED: "照会中の申請に通知"}


class ReceivedEvent(Base):
    """One received resident event (異動通知), as delivered, with what was done with it."""

    __tablename__ = "resident_event"
    __table_args__ = (
        Index("ix_resident_event_pending", "processed_at", "effective_date"),
        Index("ix_resident_event_resident_effective", "resident_id", "effective_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    resident_id: Mapped[str] = mapped_column(String(40))
    effective_date: Mapped[date]
    recorded_at: Mapped[datetime]
    cancels_event_id: Mapped[str | None] = mapped_column(String(100))
    body_json: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    instance_id: Mapped[int | None]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(100))

    def event(self) -> ResidentEvent:
        """The event as it was delivered."""
        return ResidentEvent.from_json(json.loads(self.body_json))


def receive(session: Session, event: ResidentEvent, *, source: str) -> bool:
    """Store the event before anything else; False (and nothing changed) when its event_id was already received.

    The caller owns the transaction. A concurrent duplicate is caught by the unique index inside a savepoint,
    so the caller's transaction stays usable. Raises juki.errors.InvalidQuery (nothing stored) when the event
    does not satisfy its kind's schema (juki/event_schema.py), whichever way it came in.
    """
    validate_event(event.to_json())
    if get_received(session, event.event_id) is not None:
        return False
    row = ReceivedEvent(event_id=event.event_id, kind=event.kind, resident_id=event.resident_id,
                        effective_date=event.effective_date, recorded_at=_naive(event.recorded_at),
                        cancels_event_id=event.cancels_event_id, source=source,
                        body_json=json.dumps(event.to_json(), ensure_ascii=False))
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def get_received(session: Session, event_id: str) -> ReceivedEvent | None:
    return session.scalars(select(ReceivedEvent).where(ReceivedEvent.event_id == event_id)).first()


def _naive(moment: datetime) -> datetime:
    # Stored as naive UTC like every timestamp of the product.
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def open_incidents(session: Session) -> list[ReceivedEvent]:
    """Events a バックヤード clerk must look at (unknown resident …), oldest first."""
    return list(session.scalars(select(ReceivedEvent).where(ReceivedEvent.outcome == EventOutcome.INCIDENT,
                                                            ReceivedEvent.resolved_at.is_(None))
                                .order_by(ReceivedEvent.received_at, ReceivedEvent.id)))


def count_open_incidents(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ReceivedEvent).where(
        ReceivedEvent.outcome == EventOutcome.INCIDENT, ReceivedEvent.resolved_at.is_(None))) or 0


def recent_events(session: Session, limit: int = 100, resident_id: str | None = None) -> list[ReceivedEvent]:
    """The latest received events (newest first), optionally of one person."""
    query = select(ReceivedEvent).order_by(ReceivedEvent.id.desc()).limit(limit)
    if resident_id:
        query = query.where(ReceivedEvent.resident_id == resident_id)
    return list(session.scalars(query))
