"""住民記録連動: the worker's processing of received resident events (4.2.2 / 4.3.2 started by message).

Pending events are taken in effective-date order, one transaction each. A ``Triage`` (handlers.linkage.triage:
it knows the registry and the register) says what an event means for the registry; this module records the
outcome and, for a registered person, has the workflow engine start the flow whose message start event catches
``juki.<kind>``. The engine comes in as a ``FlowStarter`` (the product wires its WorkflowRunner), so the engine
knows nothing of 住基 and this module imports nothing of the engine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handlers.linkage.intake import EventOutcome, ReceivedEvent
from juki.errors import JukiUnavailable
from juki.events import ResidentEvent
from registry.db import utcnow

log = logging.getLogger("inkan.rendou")

__all__ = ["Decision", "EventHistory", "FlowStarter", "Triage", "pending_event_ids", "process_event",
           "process_pending_events", "resolve_incident"]


@dataclass(frozen=True)
class EventHistory:
    """What the intake already knows around one event: the event it cancels and later-dated processed ones."""

    cancelled: ResidentEvent | None = None
    later_processed: tuple[ResidentEvent, ...] = ()


class Decision(Protocol):
    """The triage's verdict: an outcome of EventOutcome, a reason, and for STARTED the message and its payload."""

    outcome: str
    reason: str | None
    message_name: str | None
    payload: dict[str, Any]


Triage = Callable[[Session, ResidentEvent, EventHistory], Decision]


class Started(Protocol):
    """What the engine says of an instance it started (engine.runtime.runner.RunOutcome)."""

    instance_id: int


class FlowStarter(Protocol):
    """The workflow engine as this module needs it (engine.runtime.runner.WorkflowRunner, wired by the product):
    its sessions, a start by message whose ``on_started`` runs in the start's own transaction, and the delivery of a
    message to a waiting instance whose ``on_delivered`` runs in the delivery's transaction."""

    session_factory: sessionmaker[Session]

    def start_by_message(self, message_name: str, payload: dict[str, Any], *,
                         on_started: Callable[[Session, Any], None] | None = None) -> Any: ...

    def deliver_message(self, instance_id: int, message_name: str, payload: dict[str, Any], *,
                        on_delivered: Callable[[Session, Any], None] | None = None) -> Any: ...


class Clerk(Protocol):
    """Who resolves an incident (engine.actor.Actor): only the username is kept."""

    username: str


def pending_event_ids(session: Session, limit: int = 50) -> list[int]:
    """Unprocessed events, oldest effective date first (ties: as the register recorded them)."""
    return list(session.scalars(select(ReceivedEvent.id).where(ReceivedEvent.processed_at.is_(None))
                                .order_by(ReceivedEvent.effective_date, ReceivedEvent.recorded_at,
                                          ReceivedEvent.id).limit(limit)))


def process_pending_events(runner: FlowStarter, triage: Triage, limit: int = 50) -> int:
    """Process due events one by one (each in its own transaction); return how many got an outcome."""
    with runner.session_factory() as session:
        ids = pending_event_ids(session, limit)
    done = 0
    for event_row_id in ids:
        try:
            if process_event(runner, triage, event_row_id):
                done += 1
        except JukiUnavailable as exc:
            # The register cannot be asked now: leave this and later events pending for the next round, so
            # later events of the same person do not overtake this one.
            log.warning("resident event %s left pending: %s", event_row_id, exc)
            break
    return done


def process_event(runner: FlowStarter, triage: Triage, event_row_id: int) -> bool:
    """Decide and record one event; a STARTED decision starts the flow in the same transaction as the receipt."""
    with runner.session_factory() as session:
        row = _claim(session, event_row_id)
        if row is None:
            return False
        event = row.event()
        decision = triage(session, event, _history(session, row))
    if decision.outcome == EventOutcome.DELIVERED:
        return _deliver(runner, event_row_id, decision)
    if decision.outcome != EventOutcome.STARTED:
        with runner.session_factory.begin() as session:
            row = _claim(session, event_row_id)
            if row is None:
                return False
            _record(row, decision, None)
        return True

    def receipt(session: Session, outcome: Started) -> None:
        row = _claim(session, event_row_id)
        if row is None:  # another worker recorded it meanwhile: undo this start with the whole transaction
            raise _AlreadyProcessed
        _record(row, decision, outcome.instance_id)

    assert decision.message_name is not None  # a STARTED decision names the message that starts its flow
    try:
        runner.start_by_message(decision.message_name, decision.payload, on_started=receipt)
    except _AlreadyProcessed:
        return False
    return True


def _deliver(runner: FlowStarter, event_row_id: int, decision: Decision) -> bool:
    """Hand the event to the instance the triage named (payload ``instance_id``), in the receipt's transaction;
    an instance that no longer waits for it leaves the event recorded as ignored."""

    def receipt(session: Session, outcome: Started | None) -> None:
        row = _claim(session, event_row_id)
        if row is None:  # another worker recorded it meanwhile: undo the delivery with the whole transaction
            raise _AlreadyProcessed
        if outcome is None:
            _record(row, _Ignored("通知先の事案はこの通知を待っていませんでした（既に終了・進行済み）。"), None)
        else:
            _record(row, decision, outcome.instance_id)

    assert decision.message_name is not None  # a DELIVERED decision names the message the instance waits for
    try:
        runner.deliver_message(int(decision.payload["instance_id"]), decision.message_name, decision.payload,
                               on_delivered=receipt)
    except _AlreadyProcessed:
        return False
    return True


@dataclass
class _Ignored:
    reason: str | None
    outcome: str = EventOutcome.IGNORED
    message_name: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def resolve_incident(session: Session, event_row_id: int, actor: Clerk) -> ReceivedEvent | None:
    """A clerk marks an event's incident as dealt with (the register's data was checked)."""
    row = session.get(ReceivedEvent, event_row_id)
    if row is None or row.outcome != EventOutcome.INCIDENT or row.resolved_at is not None:
        return None
    row.resolved_at, row.resolved_by = utcnow(), actor.username
    return row


class _AlreadyProcessed(Exception):
    pass


def _claim(session: Session, event_row_id: int) -> ReceivedEvent | None:
    # SKIP LOCKED: a second worker leaves an event alone while the first decides it (no-op on SQLite).
    return session.scalars(select(ReceivedEvent).where(ReceivedEvent.id == event_row_id,
                                                       ReceivedEvent.processed_at.is_(None))
                           .with_for_update(skip_locked=True)).first()


def _history(session: Session, row: ReceivedEvent) -> EventHistory:
    cancelled = None
    if row.cancels_event_id:
        target = session.scalars(select(ReceivedEvent).where(ReceivedEvent.event_id == row.cancels_event_id)).first()
        cancelled = target.event() if target is not None else None
    later = session.scalars(select(ReceivedEvent).where(
        ReceivedEvent.resident_id == row.resident_id, ReceivedEvent.processed_at.is_not(None),
        ReceivedEvent.effective_date > row.effective_date).order_by(ReceivedEvent.effective_date))
    return EventHistory(cancelled, tuple(other.event() for other in later))


def _record(row: ReceivedEvent, decision: Decision, instance_id: int | None) -> None:
    row.processed_at, row.outcome, row.reason, row.instance_id = utcnow(), decision.outcome, decision.reason, \
        instance_id
