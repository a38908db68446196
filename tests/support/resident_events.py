"""Record resident changes in the simulated register and hand them to the registry, as the simulator page does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from engine.models import ProcessInstance
from handlers.linkage.intake import ReceivedEvent, get_received, receive
from juki import changes, corrections
from juki.events import ResidentEvent
from registry.seals import records
from registry.seals.models import IssuedDocument, Registration


def days_ago(product, days: int) -> date:
    return product.services.today() - timedelta(days=days)


def record(product, change: str, resident_id: str, *, effective: date | None = None,
           **args) -> list[ResidentEvent]:
    """Record one change (a function name of juki.changes or juki.corrections) in the simulator; return its events
    (not delivered)."""
    with product.session_factory.begin() as session:
        today = product.services.today()
        ctx = changes.ChangeContext(effective_date=effective or today, actor="test", today=today,
                                    recorded_at=datetime.now(UTC))
        if change == "cancel":
            return changes.cancel(session, args["event_id"], ctx)
        action = getattr(changes, change, None) or getattr(corrections, change)
        return action(session, resident_id, ctx, **args)


def deliver(product, *events: ResidentEvent) -> list[bool]:
    """Store the events in the intake (in the order given); True for each that was new."""
    with product.session_factory.begin() as session:
        return [receive(session, event, source="test") for event in events]


def process(product) -> int:
    """One worker round over the intake."""
    return product.process_resident_events()


def received(product, event: ResidentEvent) -> ReceivedEvent:
    with product.session_factory() as session:
        return get_received(session, event.event_id)


def record_and_process(product, change: str, resident_id: str, **kwargs) -> list[ResidentEvent]:
    events = record(product, change, resident_id, **kwargs)
    deliver(product, *events)
    process(product)
    return events


def registration(product, number: str) -> Registration:
    with product.session_factory() as session:
        return records.registration_by_number(session, number)


def documents(product, number: str) -> list[IssuedDocument]:
    with product.session_factory() as session:
        return records.documents_of(session, registration(product, number).id)


def instance_of(product, event: ResidentEvent) -> ProcessInstance:
    """The instance the event started (the event must have been processed with outcome 'started')."""
    row = received(product, event)
    assert row.outcome == "started", (row.outcome, row.reason)
    with product.session_factory() as session:
        return session.get(ProcessInstance, row.instance_id)
