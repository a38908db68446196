"""住民記録連動 in the engine: message start correlated on the resident id, and the worker's event round."""

from __future__ import annotations

import threading

import pytest

from engine.errors import DefinitionNotFound
from engine.library.catalog import active_definition, restore_workflow
from engine.models import ProcessInstance
from engine.runtime.worker import run_worker
from tests.handlers.linkage.test_intake import make_event
from tests.support.resident_events import deliver, received, record


def test_message_starts_the_definition_that_catches_it_correlated_on_the_resident(product, driver):
    resident_id = driver.fresh_resident()
    payload = make_event(kind="death", resident_id=resident_id, changes={}).to_json()
    outcome = product.runner.start_by_message("juki.death", payload)
    with product.session_factory() as session:
        instance = session.get(ProcessInstance, outcome.instance_id)
        workflow = restore_workflow(product.specs, active_definition(session, instance.process_id), instance.state)
    assert instance.process_id == "juki_rendou_massho" and instance.subject_resident_id == resident_id
    assert workflow.correlations == {"resident": {"resident_id": resident_id}}
    assert instance.end_event == "end_nothing"  # nobody registered: nothing to close


def test_a_message_no_definition_catches_is_refused(product):
    with pytest.raises(DefinitionNotFound):
        product.runner.start_by_message("juki.teleport", make_event().to_json())


def test_the_worker_runs_the_event_round_after_the_timers(product, driver):
    registered = driver.registered_person()
    events = record(product, "die", registered.resident_id)
    deliver(product, *events)
    stop = threading.Event()

    def one_round() -> int:
        handled = product.process_resident_events()
        stop.set()  # a single round is enough here
        return handled

    run_worker(product.runner, stop, 0.01, rounds=(one_round,))
    assert received(product, events[0]).outcome == "started"
