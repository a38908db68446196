"""4.1.4.6 回答登録 checks the person again (issue 16.1): the answer step runs 2.1.3 / 2.2.1 once more and a person
who moved out, died or registered during the wait ends in a modelled lapse with the reason (never an incident);
a 転出 or 死亡 reported by the register while the answer is awaited closes the pending application at once."""

from __future__ import annotations

from engine.models import ProcessInstance
from handlers.casework import register_directly
from tests.support.inquiry_flow import InquiryDriver
from tests.support.resident_events import received, record_and_process


def _instance(product, instance_id: int) -> ProcessInstance:
    with product.session_factory() as session:
        return session.get(ProcessInstance, instance_id)


def test_a_move_out_while_the_answer_is_awaited_lapses_the_application(product, clock):
    inquiry = InquiryDriver(product, clock)
    pending = inquiry.to_answer()
    events = record_and_process(product, "move_out", pending.resident_id)
    row = received(product, events[-1])
    assert (row.outcome, row.instance_id) == ("delivered", pending.instance_id)
    assert pending.inquiry_number in row.reason and "転出" in row.reason
    instance = _instance(product, pending.instance_id)
    assert (instance.status, instance.end_event) == ("completed", "end_lapsed_left")
    application = inquiry.application(pending.instance_id)
    assert (application.status, application.reason) == ("lapsed", "moved_out")
    assert "転出" in application.detail and application.closed_at is not None
    assert inquiry.registration_of(pending.instance_id) is None


def test_a_death_lapses_it_too_and_a_person_with_nothing_pending_is_not_relevant(product, clock):
    inquiry = InquiryDriver(product, clock)
    pending = inquiry.to_answer()
    record_and_process(product, "die", pending.resident_id)
    assert inquiry.application(pending.instance_id).reason == "deceased"
    assert _instance(product, pending.instance_id).end_event == "end_lapsed_left"
    other = inquiry.base.fresh_resident()
    events = record_and_process(product, "move_out", other)
    assert received(product, events[-1]).outcome == "not_relevant"


def test_registered_elsewhere_during_the_wait_is_caught_by_the_recheck_at_the_answer(product, clock):
    inquiry = InquiryDriver(product, clock)
    pending = inquiry.to_answer()
    with product.session_factory.begin() as session:
        register_directly(session, product.services, pending.resident_id)
    outcome = inquiry.answer(pending)
    assert outcome.incident_id is None and outcome.status == "completed"
    assert _instance(product, pending.instance_id).end_event == "end_lapsed_recheck"
    data = inquiry.data(pending.instance_id)
    assert data["recheck"]["eligible"] is False and data["recheck"]["reason"] == "already_registered"
    application = inquiry.application(pending.instance_id)
    assert (application.status, application.reason) == ("lapsed", "already_registered")


def test_the_recheck_lets_an_eligible_person_go_on_to_the_seal(product, clock):
    inquiry = InquiryDriver(product, clock)
    pending = inquiry.to_answer()
    inquiry.answer(pending)
    assert inquiry.open_spec_names(pending.instance_id) == ["task_scan_answer"]
    assert inquiry.data(pending.instance_id)["recheck"]["eligible"] is True
