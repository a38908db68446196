"""4.4.1.1 廃止の申請 / 4.4.1.2 亡失 through the real engine and handlers: the record becomes a 除票 with its
reason and the 4.4.1.3 sheet, refusals write nothing, and a loss reported by phone starts 6.2.1 一時停止."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from engine.errors import FormInvalid
from engine.models import ProcessInstance
from engine.runtime.queries import instance_detail, open_tasks_of_instance
from registry.blobs.store import get_blob
from registry.documents.certificates import certificate_refusal
from registry.seals import records
from registry.seals.models import IssuedDocument, RecordStatus
from tests.support.flow import COUNTER

SELF_WITH_LICENCE = {"applicant": "self", "identity_document": "driving_licence", "identity_checked": True}
SUSPENSION_BPMN = Path(__file__).parents[2] / "bpmn" / "ichiji_teishi.bpmn"


class HaishiDriver:
    def __init__(self, product, driver):
        self.product, self.driver = product, driver

    def start(self, resident_id: str, kind: str = "return", **request):
        outcome = self.product.runner.start("haishi", COUNTER, {"resident_id": resident_id})
        data = {"request_kind": kind, "resident_id": resident_id} | request
        return self.driver.step(outcome, COUNTER, data)

    def data(self, instance_id: int) -> dict:
        with self.product.session_factory() as session:
            return instance_detail(session, self.product.specs, instance_id).data

    def record(self, resident_id: str):
        with self.product.session_factory() as session:
            record = records.registrations_of(session, resident_id)[0]
            return record, records.history_of(session, record.id)

    def open_spec(self, instance_id: int) -> list[str]:
        with self.product.session_factory() as session:
            return [t.spec_name for t in open_tasks_of_instance(session, instance_id)]


@pytest.fixture
def haishi(product, driver) -> HaishiDriver:
    return HaishiDriver(product, driver)


def test_returned_card_abolishes_the_record_with_a_closed_record_sheet(haishi, driver, product):
    person = driver.registered_person()
    outcome = haishi.start(person.resident_id, "return", card_number=person.registration_number)
    assert haishi.open_spec(outcome.instance_id) == ["task_identity"]
    outcome = driver.step(outcome, COUNTER, SELF_WITH_LICENCE | {"card_collected": True})
    assert outcome.status == "completed"
    record, history = haishi.record(person.resident_id)
    assert (record.status, record.close_reason) == (RecordStatus.ABOLISHED, "廃止の申請")
    assert record.closed_on == product.services.today()
    entry = history[-1]
    assert entry.reason == "廃止（廃止の申請）" and entry.instance_id == outcome.instance_id
    after = json.loads(entry.after_json)
    assert after["status"] == "abolished" and after["card_collected"] is True
    assert json.loads(entry.before_json)["status"] == "registered"
    assert certificate_refusal(record, product.services.today()) == "registration_closed"
    with product.session_factory() as session:
        sheet = session.scalars(select(IssuedDocument).where(IssuedDocument.instance_id == outcome.instance_id)).one()
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(get_blob(session, sheet.blob_sha256).data)).pages)
    assert "除票" in text and person.registration_number in text and "廃止" in text


def test_a_lost_seal_reported_by_a_proxy_with_power_of_attorney_is_abolished_as_loss(haishi, driver):
    person = driver.registered_person()
    outcome = haishi.start(person.resident_id, "lost", lost_item="seal")
    proxy = {"applicant": "proxy", "proxy_name": "代理 花子", "identity_document": "passport",
             "identity_checked": True, "power_of_attorney": True}
    assert driver.step(outcome, COUNTER, proxy).status == "completed"
    record, history = haishi.record(person.resident_id)
    assert (record.status, record.close_reason) == (RecordStatus.ABOLISHED, "亡失: 印鑑")
    after = json.loads(history[-1].after_json)
    assert after["applicant"] == "proxy" and after["card_collected"] is False
    assert haishi.data(outcome.instance_id)["abolition"]["message"].startswith(
        f"登録番号 {person.registration_number} を廃止しました")


@pytest.mark.parametrize(("identity", "reason"), [
    (SELF_WITH_LICENCE | {"identity_checked": False, "card_collected": True}, "identity_not_checked"),
    ({"applicant": "proxy", "proxy_name": "代理 一郎", "identity_checked": True, "power_of_attorney": False,
      "card_collected": True}, "proxy_without_power_of_attorney"),
    (SELF_WITH_LICENCE | {"card_collected": False}, "card_not_returned"),
])
def test_a_refused_request_writes_nothing(haishi, driver, identity, reason):
    person = driver.registered_person()
    _, history_before = haishi.record(person.resident_id)
    outcome = driver.step(haishi.start(person.resident_id), COUNTER, identity)
    assert haishi.open_spec(outcome.instance_id) == ["task_explain_refusal"]
    assert haishi.data(outcome.instance_id)["refusal"]["reason"] == reason
    outcome = driver.step(outcome, COUNTER, {"explained": True})
    assert outcome.status == "completed"
    record, history = haishi.record(person.resident_id)
    assert record.status == RecordStatus.REGISTERED and record.closed_on is None
    assert [e.id for e in history] == [e.id for e in history_before]


def test_a_card_of_someone_else_and_an_abolished_record_are_refused(haishi, driver):
    first, second = driver.registered_person(), driver.registered_person()
    outcome = haishi.start(first.resident_id, card_number=second.registration_number)
    assert haishi.data(outcome.instance_id)["refusal"]["reason"] == "card_mismatch"
    done = driver.step(haishi.start(first.resident_id), COUNTER, SELF_WITH_LICENCE | {"card_collected": True})
    assert done.status == "completed"
    again = haishi.start(first.resident_id, "lost", lost_item="card")
    refusal = haishi.data(again.instance_id)["refusal"]
    assert refusal["reason"] == "not_active" and "廃止" in refusal["message"]


@pytest.mark.parametrize(("data", "field"), [
    ({"request_kind": "lost"}, "lost_item"),
    ({"request_kind": "return", "resident_id": None}, "resident_id"),
])
def test_the_request_form_needs_what_was_lost_and_the_resident(haishi, driver, product, data, field):
    person = driver.registered_person()
    outcome = product.runner.start("haishi", COUNTER, {"resident_id": person.resident_id})
    with pytest.raises(FormInvalid) as refused:
        driver.step(outcome, COUNTER, {"resident_id": person.resident_id} | data)
    assert field in refused.value.errors


def test_a_proxy_must_be_named(haishi, driver):
    person = driver.registered_person()
    outcome = haishi.start(person.resident_id)
    with pytest.raises(FormInvalid) as refused:
        driver.step(outcome, COUNTER, {"applicant": "proxy", "identity_checked": True, "power_of_attorney": True})
    assert "proxy_name" in refused.value.errors


def _phone_report(product, resident_id: str, **answers) -> dict:
    with product.session_factory() as session:
        birth = product.juki(session).get_resident(resident_id).birth_date.isoformat()
    return {"caller": "family", "caller_name": "家族 太郎", "callback_phone": "090-0000-1111",
            "stated_birth_date": birth, "address_answered": True} | answers


def test_wrong_phone_answers_start_no_suspension(haishi, driver, product):
    person = driver.registered_person()
    outcome = haishi.start(person.resident_id, "lost_phone", lost_item="card")
    outcome = driver.step(outcome, COUNTER, _phone_report(product, person.resident_id, stated_birth_date="1901-02-03"))
    assert haishi.data(outcome.instance_id)["refusal"]["reason"] == "phone_answers_wrong"
    with product.session_factory() as session:
        assert session.scalars(select(ProcessInstance).where(ProcessInstance.process_id == "ichiji_teishi",
                                                             ProcessInstance.subject_resident_id == person.resident_id)
                               ).first() is None
    record, _ = haishi.record(person.resident_id)
    assert record.status == RecordStatus.REGISTERED and record.suspended_from is None


@pytest.mark.skipif(not SUSPENSION_BPMN.exists(), reason="6.2.1 bpmn/ichiji_teishi.bpmn is not written yet")
def test_a_loss_reported_by_phone_starts_the_suspension_flow(haishi, driver, product):
    person = driver.registered_person()
    outcome = haishi.start(person.resident_id, "lost_phone", lost_item="card")
    assert haishi.open_spec(outcome.instance_id) == ["task_phone_report"]
    outcome = driver.step(outcome, COUNTER, _phone_report(product, person.resident_id))
    data = haishi.data(outcome.instance_id)
    child_id = data["suspension"]["continue_with"]["instance_id"]
    with product.session_factory() as session:
        parent, child = session.get(ProcessInstance, outcome.instance_id), session.get(ProcessInstance, child_id)
        assert (parent.status, parent.end_event) == ("completed", "end_suspended")
        assert child.process_id == "ichiji_teishi" and child.subject_resident_id == person.resident_id
        child_tasks = open_tasks_of_instance(session, child_id)
    assert outcome.next_task_id in [t.id for t in child_tasks]  # the clerk goes on in 6.2.1
    started_with = haishi.data(child_id)
    assert started_with["registration_number"] == person.registration_number
    assert (started_with["reason"], started_with["by_phone"]) == ("亡失の届出（電話）", True)
    record, _ = haishi.record(person.resident_id)
    assert record.status == RecordStatus.REGISTERED  # 廃止 waits for the visit in person


def test_cancelling_before_the_abolition_leaves_the_record_active(haishi, driver, product):
    person = driver.registered_person()
    outcome = haishi.start(person.resident_id)
    product.runner.cancel(outcome.instance_id, COUNTER, "別の方の事案と取り違えたため")
    record, _ = haishi.record(person.resident_id)
    assert record.status == RecordStatus.REGISTERED
    with product.session_factory() as session:
        assert session.get(ProcessInstance, outcome.instance_id).status == "terminated"
