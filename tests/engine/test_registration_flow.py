"""4.1.2 through the real engine and handlers: the number, the subject, and refusals that are not incidents."""

from __future__ import annotations

from engine.models import ProcessInstance
from engine.runtime.queries import instance_detail
from registry.seals.numbering import NumberFormat, is_valid_number
from tests.support.flow import COUNTER


def test_photo_id_path_registers_with_a_valid_number(driver):
    registered = driver.register()
    assert is_valid_number(registered.registration_number, NumberFormat())


def test_the_subject_is_known_from_the_start(driver, product):
    resident_id = driver.fresh_resident()
    outcome = driver.start(resident_id)
    with product.session_factory() as session:
        instance = session.get(ProcessInstance, outcome.instance_id)
        assert instance.subject_resident_id == resident_id and instance.subject_name


def test_a_malformed_resident_id_is_a_refusal_not_an_incident(driver, product):
    outcome = driver.start("")
    outcome = driver.step(outcome, COUNTER, {"resident_id": "!!??", "received_items": ["application", "seal"]})
    assert outcome.incident_id is None and outcome.status == "running"
    with product.session_factory() as session:
        assert driver.open_task(outcome.instance_id)
        assert instance_detail(session, product.specs, outcome.instance_id).data["eligibility"]["reason"] == "not_found"
