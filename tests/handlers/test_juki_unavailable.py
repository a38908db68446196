"""The resident register unreachable: events wait, a failing service task becomes an incident the clerk can retry,
and nothing is half-written."""

from __future__ import annotations

import pytest

from engine.actor import Actor
from engine.models import Incident, ProcessInstance
from juki.errors import JukiUnavailable
from registry.seals import records
from tests.support.resident_events import deliver, process, received, record


class UnreachableRegister:
    """A JukiClient whose every call times out."""

    def __getattr__(self, _name):
        def fail(*_args, **_kwargs):
            raise JukiUnavailable()

        return fail


@pytest.fixture
def register_down(product, monkeypatch):
    real = product.services.juki_factory

    def down():
        monkeypatch.setattr(product.services, "juki_factory", lambda _session: UnreachableRegister())

    def up():
        monkeypatch.setattr(product.services, "juki_factory", real)

    return down, up


def test_events_wait_while_the_register_is_down(product, driver, register_down):
    down, up = register_down
    registered = driver.registered_person()
    events = record(product, "die", registered.resident_id)
    deliver(product, *events)
    down()
    assert process(product) == 0
    assert received(product, events[0]).processed_at is None  # still pending, nothing decided
    up()
    process(product)
    assert received(product, events[0]).outcome == "started"


def test_failing_register_call_in_a_handler_is_an_incident_to_retry(product, driver, register_down):
    down, up = register_down
    registered = driver.registered_person()
    with product.session_factory() as session:
        record_ = records.registration_by_number(session, registered.registration_number)
        history_before = len(records.history_of(session, record_.id))
        address = record_.address
    record(product, "move_within", registered.resident_id, address="見本市再試行町1番")  # the register knows
    # an event without its changes: the handler asks the register for the current address
    payload = {"event_id": "no-changes-1", "kind": "move_within", "resident_id": registered.resident_id,
               "effective_date": product.services.today().isoformat(), "recorded_at": "2026-01-01T00:00:00+00:00",
               "changes": {}, "cancels_event_id": None, "registration_id": record_.id}
    down()
    outcome = product.runner.start_by_message("juki.move_within", payload)
    assert outcome.status == "error" and outcome.incident_id is not None
    with product.session_factory() as session:
        incident = session.get(Incident, outcome.incident_id)
        assert incident.error_code == "juki_unavailable" and "再試行" in incident.message
        assert incident.spec_name == "svc_correct"
        record_ = records.registration_by_number(session, registered.registration_number)
        assert record_.address == address and len(records.history_of(session, record_.id)) == history_before
    up()
    retried = product.runner.retry(outcome.incident_id, Actor("admin", "admin"))
    assert retried.status == "completed"
    with product.session_factory() as session:
        assert session.get(ProcessInstance, outcome.instance_id).end_event == "end_corrected"
        record_ = records.registration_by_number(session, registered.registration_number)
        assert record_.address == "見本市再試行町1番"
        assert [e.reason for e in records.history_of(session, record_.id)][history_before:] == ["修正（転居）"]
