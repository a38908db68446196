"""Record resident changes in the simulated register and hand them to the registry, as the simulator page does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from engine.intake import ReceivedEvent, get_received, receive
from juki import changes
from juki.events import ResidentEvent


def days_ago(product, days: int) -> date:
    return product.services.today() - timedelta(days=days)


def record(product, change: str, resident_id: str, *, effective: date | None = None,
           **args) -> list[ResidentEvent]:
    """Record one change (a function name of juki.changes) in the simulator; return its events (not delivered)."""
    with product.session_factory.begin() as session:
        today = product.services.today()
        ctx = changes.ChangeContext(effective_date=effective or today, actor="test", today=today,
                                    recorded_at=datetime.now(UTC))
        if change == "cancel":
            return changes.cancel(session, args["event_id"], ctx)
        return getattr(changes, change)(session, resident_id, ctx, **args)


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
