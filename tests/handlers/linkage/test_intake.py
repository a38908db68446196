"""Event intake: an event is stored before anything else, and a second delivery of the same id changes nothing."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import func, select

from handlers.linkage.intake import ReceivedEvent, get_received, receive
from juki.events import ResidentEvent


def make_event(**overrides) -> ResidentEvent:
    values = {"event_id": f"ev-{uuid.uuid4().hex[:12]}", "kind": "move_within", "resident_id": "R-UNKNOWN",
              "effective_date": date(2026, 11, 1), "recorded_at": datetime(2026, 11, 2, 9, 0),
              "changes": {"address": {"before": "旧住所", "after": "新住所"}}} | overrides
    return ResidentEvent(**values)


def count(session, event_id: str) -> int:
    return session.scalar(select(func.count()).select_from(ReceivedEvent).where(ReceivedEvent.event_id == event_id))


def test_receive_stores_the_event_as_delivered(product):
    event = make_event()
    with product.session_factory.begin() as session:
        assert receive(session, event, source="test") is True
    with product.session_factory() as session:
        row = get_received(session, event.event_id)
        assert row.kind == "move_within" and row.source == "test" and row.outcome is None
        assert row.event() == event


def test_second_delivery_is_refused_and_changes_nothing(product):
    event = make_event()
    with product.session_factory.begin() as session:
        assert receive(session, event, source="test") is True
    changed = make_event(event_id=event.event_id, kind="death")
    with product.session_factory.begin() as session:
        assert receive(session, changed, source="other") is False
        assert count(session, event.event_id) == 1
    with product.session_factory() as session:
        assert get_received(session, event.event_id).kind == "move_within"


def test_duplicate_in_the_same_transaction_keeps_the_transaction_usable(product):
    event = make_event()
    with product.session_factory.begin() as session:
        assert receive(session, event, source="test") is True
        assert receive(session, event, source="test") is False
        other = make_event()
        assert receive(session, other, source="test") is True
    with product.session_factory() as session:
        assert count(session, event.event_id) == 1 and count(session, other.event_id) == 1
