"""4.1.4 照会による登録 through the real engine and handlers: registration after the answer, lapse by the
deadline timer, 「本人の申請ではない」, refusals of the answer, the hand-over from 4.1.2 and cancelling."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine.db import utcnow
from engine.errors import DefinitionError, FormInvalid
from engine.models import AuditEvent, ProcessInstance, Timer
from handlers.base import HandlerError
from registry.documents.models import PrintQueueItem
from registry.seals import records
from registry.seals.numbering import NumberFormat, is_valid_number
from tests.support.flow import BACK, COUNTER, IDENTIFY
from tests.support.inquiry_flow import InquiryDriver
from tests.support.library import copy_of_4_1_4, deploy_copy


@pytest.fixture
def inquiry(product, clock) -> InquiryDriver:
    return InquiryDriver(product, clock)


def test_the_letter_is_queued_with_a_unique_number_and_a_30_day_deadline(inquiry, product):
    first, second = inquiry.to_answer(), inquiry.to_answer()
    assert first.inquiry_number != second.inquiry_number
    assert records.parse_inquiry_number(first.inquiry_number) == first.application_id
    data = inquiry.data(first.instance_id)
    assert data["inquiry"]["deadline_days"] == 30
    with product.session_factory() as session:
        item = session.scalars(select(PrintQueueItem).where(PrintQueueItem.instance_id == first.instance_id)).one()
        assert item.document == "inquiry_letter" and item.application_id == first.application_id
        assert first.inquiry_number in item.payload_json
        timer = session.scalars(select(Timer).where(Timer.instance_id == first.instance_id)).one()
        assert timedelta(days=29) < timer.due_at - utcnow() <= timedelta(days=31)
    application = inquiry.application(first.instance_id)
    assert (application.kind, application.status) == ("4.1.4", "inquiring")


class CopyDriver(InquiryDriver):
    """The same steps on a deployed copy of 4.1.4."""

    def __init__(self, product, process_id: str, clock=None):
        super().__init__(product, clock)
        self.process_id = process_id

    def start(self, resident_id: str, **data):
        return self.runner.start(self.process_id, COUNTER, {"resident_id": resident_id} | data)


def test_a_text_where_the_operator_declares_a_whole_number_is_refused_at_deploy(product):
    """deadline_days is declared an integer of 1–365 (handlers/parameters.py): the text '14' is refused at save and
    deploy with the element and the parameter named, not coerced later at run time."""
    process_id = f"shoukai_{uuid.uuid4().hex[:8]}"
    xml = copy_of_4_1_4(process_id).replace('id="deadline_days" type="int" value="30"',
                                            'id="deadline_days" type="int" value="\'14\'"')
    with pytest.raises(DefinitionError, match="deadline_days.*整数"):
        deploy_copy(product, xml, process_id, note="回答期限を文字で")


@pytest.mark.parametrize("value", ["14"])
def test_a_definition_with_deadline_days_14_gives_a_14_day_deadline(product, value):
    process_id = f"shoukai_{uuid.uuid4().hex[:8]}"
    xml = copy_of_4_1_4(process_id).replace('id="deadline_days" type="int" value="30"',
                                            f'id="deadline_days" type="int" value="{value}"')
    assert xml.count(f'value="{value}"') == 1
    deploy_copy(product, xml, process_id, note="回答期限を14日に")
    copy = CopyDriver(product, process_id)
    pending = copy.to_answer()
    inquiry = copy.data(pending.instance_id)["inquiry"]
    assert inquiry["deadline_days"] == 14
    assert date.fromisoformat(inquiry["deadline"]) - date.fromisoformat(inquiry["applied_on"]) == timedelta(days=14)
    with product.session_factory() as session:
        timer = session.scalars(select(Timer).where(Timer.instance_id == pending.instance_id)).one()
        assert timedelta(days=13) < timer.due_at - utcnow() <= timedelta(days=15)
    assert "回答期限 " + inquiry["deadline"] in copy.application(pending.instance_id).detail
    product.runner.fire_due_timers(now=utcnow() + timedelta(days=15, hours=1), limit=1000)
    assert copy.application(pending.instance_id).status == "lapsed"


def test_the_answer_with_the_same_seal_registers_with_a_number_and_a_confirmation_sheet(inquiry, product):
    pending = inquiry.to_answer(seal_text="本登録")
    outcome = inquiry.register(pending)
    assert outcome.status == "completed"
    record = inquiry.registration_of(pending.instance_id)
    assert record.resident_id == pending.resident_id and record.identity_path == "inquiry"
    assert is_valid_number(record.registration_number, NumberFormat())
    data = inquiry.data(pending.instance_id)
    assert data["comparison"]["same"] is True
    assert data["confirmation"]["document_blob_id"]
    with product.session_factory() as session:
        assert session.get(ProcessInstance, pending.instance_id).end_event == "end_registered"
        assert record.impression_id == data["stored_impression"]["impression_id"]  # the pending impression
    assert inquiry.application(pending.instance_id).status == "registered"


def test_the_deadline_lapses_the_application_when_the_clock_has_moved(inquiry, product):
    pending = inquiry.to_answer()
    product.runner.fire_due_timers(now=utcnow() + timedelta(days=29), limit=1000)
    assert inquiry.open_spec_names(pending.instance_id) == ["task_answer"]  # not due yet
    product.runner.fire_due_timers(now=utcnow() + timedelta(days=31, hours=1), limit=1000)
    with product.session_factory() as session:
        instance = session.get(ProcessInstance, pending.instance_id)
        assert (instance.status, instance.end_event) == ("completed", "end_lapsed")
    application = inquiry.application(pending.instance_id)
    assert (application.status, application.reason) == ("lapsed", "deadline_passed")
    assert inquiry.registration_of(pending.instance_id) is None


def test_did_not_apply_lapses_and_alerts_the_back_office(inquiry):
    pending = inquiry.to_answer()
    outcome = inquiry.answer(pending, answer="not_applied", bearer=None, bearer_identity_checked=None,
                             note="本人から電話: 申請していない")
    assert inquiry.open_spec_names(outcome.instance_id) == ["task_fraud_alert"]
    application = inquiry.application(pending.instance_id)
    assert (application.status, application.reason) == ("lapsed", "not_applied")
    assert "申請していない" in application.detail
    outcome = inquiry.step(outcome, BACK,
                           {"confirmed": True, "action": "contacted_resident", "action_note": "本人へ電話で確認"})
    assert outcome.status == "completed" and inquiry.registration_of(pending.instance_id) is None


def test_a_different_seal_is_refused_and_the_application_stays_open(inquiry):
    pending = inquiry.to_answer(seal_text="正しい")
    inquiry.answer(pending)
    outcome = inquiry.bring_seal(pending, seal_text="別人")
    data = inquiry.data(outcome.instance_id)
    assert data["comparison"]["same"] is False
    assert data["answer_refusal"]["reason"] == "seal_mismatch"
    assert inquiry.open_spec_names(outcome.instance_id) == ["task_explain_answer"]
    inquiry.step(outcome, COUNTER, {"explained": True})
    assert inquiry.open_spec_names(outcome.instance_id) == ["task_answer"]  # may come back before the deadline
    assert inquiry.registration_of(pending.instance_id) is None
    assert inquiry.application(pending.instance_id).status == "inquiring"


def test_a_proxy_without_power_of_attorney_is_refused_then_accepted_with_it(inquiry):
    pending = inquiry.to_answer(applicant="proxy", inquiry_reason="proxy")
    outcome = inquiry.answer(pending, bearer="proxy", power_of_attorney=False)
    assert inquiry.data(outcome.instance_id)["answer_refusal"]["reason"] == "proxy_without_power_of_attorney"
    inquiry.step(outcome, COUNTER, {"explained": True})
    outcome = inquiry.answer(pending, bearer="proxy", power_of_attorney=True)
    assert inquiry.open_spec_names(outcome.instance_id) == ["task_scan_answer"]


def test_a_mistyped_inquiry_number_is_refused(inquiry):
    pending = inquiry.to_answer()
    wrong = records.inquiry_number(pending.application_id + 1)
    outcome = inquiry.answer(pending, inquiry_number=wrong)
    assert inquiry.data(outcome.instance_id)["answer_refusal"]["reason"] == "inquiry_number_mismatch"


def test_4_1_2_without_identity_documents_continues_into_4_1_4(inquiry, driver, product):
    resident_id = driver.fresh_resident()
    outcome = driver.start(resident_id)
    outcome = driver.step(outcome, COUNTER, {"resident_id": resident_id} | IDENTIFY)
    outcome = driver.step(outcome, COUNTER, {"applicant": "proxy", "identity_path": "none"})
    assert outcome.status == "completed"
    child_id = inquiry.data(outcome.instance_id)["referral"]["continue_with"]["instance_id"]
    with product.session_factory() as session:
        child = session.get(ProcessInstance, child_id)
        assert (child.process_id, child.subject_resident_id) == ("shoukai_touroku", resident_id)
    assert inquiry.open_spec_names(child_id) == ["task_application"]
    assert outcome.next_task_id is not None  # the clerk goes straight on to 4.1.4's first task
    data = inquiry.data(child_id)
    assert (data["applicant"], data["inquiry_reason"], data["referred_from"]) == ("proxy", "proxy", outcome.instance_id)


def test_a_clerk_cancels_an_instance_started_by_mistake(inquiry, product):
    pending = inquiry.to_answer()
    with pytest.raises(FormInvalid):
        product.runner.cancel(pending.instance_id, COUNTER, "  ")
    product.runner.cancel(pending.instance_id, COUNTER, "別の申請者で開始したため")
    with product.session_factory() as session:
        assert session.get(ProcessInstance, pending.instance_id).status == "terminated"
        event = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == pending.instance_id,
                                                         AuditEvent.kind == "cancel")).one()
        assert "別の申請者" in event.summary_json
    assert inquiry.open_spec_names(pending.instance_id) == []
    application = inquiry.application(pending.instance_id)
    assert (application.status, application.detail) == ("cancelled", "別の申請者で開始したため")


def test_an_instance_that_registered_cannot_be_cancelled(inquiry, product):
    pending = inquiry.to_answer()
    inquiry.answer(pending)
    outcome = inquiry.bring_seal(pending)  # registered; the card task is open
    assert inquiry.registration_of(outcome.instance_id) is not None
    with pytest.raises(HandlerError) as refused:
        product.runner.cancel(pending.instance_id, COUNTER, "誤り")
    assert refused.value.code == "already_registered_by_instance"
    with product.session_factory() as session:
        assert session.get(ProcessInstance, pending.instance_id).status == "running"
