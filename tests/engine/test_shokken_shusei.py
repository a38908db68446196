"""4.3.1 職権修正（届出による修正） through the real engine and handlers: the entry, four-eyes approval, the
history entry and the 4.1.2.2 確認票; refusals (nothing changed, no active registration) write nothing."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from engine.actor import Actor
from engine.errors import FormInvalid, FourEyesRequired
from engine.models import Incident, ProcessInstance
from registry.blobs.store import get_blob
from registry.errors import NotEligible
from registry.seals import records
from registry.seals.changes import correct_record
from registry.seals.models import IssuedDocument, RecordStatus, Registration
from registry.seals.office_corrections import propose_changes
from registry.seals.records import close_record
from tests.support.flow import BACK, COUNTER, RegistrationDriver

PROCESS = "shokken_shusei"
COUNTER_2 = Actor("madoguchi2", "madoguchi")
MANAGER = Actor("manager", "manager")  # works both lanes: only the four-eyes rule stops them approving their own entry
NEW_ADDRESS = "見本市本町九丁目9番9号"


@pytest.fixture
def driver(product) -> RegistrationDriver:
    return RegistrationDriver(product)


def _record(product, number: str) -> Registration:
    with product.session_factory() as session:
        record = records.registration_by_number(session, number)
        session.expunge(record)
        return record


def _history(product, number: str) -> list[tuple[str, dict, dict]]:
    with product.session_factory() as session:
        record = records.registration_by_number(session, number)
        return [(e.reason, json.loads(e.before_json), json.loads(e.after_json))
                for e in records.history_of(session, record.id)]


def _end_event(product, instance_id: int) -> str | None:
    with product.session_factory() as session:
        return session.get(ProcessInstance, instance_id).end_event


def _to_approval(driver, resident_id: str, entry: dict, actor: Actor = COUNTER):
    outcome = driver.runner.start(PROCESS, actor, {})
    outcome = driver.step(outcome, actor, {"resident_id": resident_id})
    return driver.step(outcome, actor, entry)


def test_an_approved_correction_is_one_history_entry_and_a_confirmation_sheet(driver, product):
    person = driver.registered_person()
    before = _record(product, person.registration_number)
    outcome = _to_approval(driver, person.resident_id, {
        "correction_reason": "notification", "new_address": NEW_ADDRESS, "new_common_name": "見本 通称",
        "new_name": before.name})  # the same name as now is not a change
    outcome = driver.step(outcome, BACK, {"approval_decision": "approve"})

    assert outcome.status == "completed"
    after = _record(product, person.registration_number)
    assert (after.address, after.common_name, after.name) == (NEW_ADDRESS, "見本 通称", before.name)
    assert (after.registration_number, after.birth_date, after.impression_id) == (
        before.registration_number, before.birth_date, before.impression_id)
    reason, old, new = _history(product, person.registration_number)[-1]
    assert reason == "職権修正（届出による修正）"
    assert old == {"address": before.address, "common_name": before.common_name}
    assert new["address"] == NEW_ADDRESS and new["common_name"] == "見本 通称"
    assert set(new) == {"address", "common_name"}  # a 届出 has no note; the number, impression, birth date stay
    with product.session_factory() as session:
        sheet = session.scalars(select(IssuedDocument).where(IssuedDocument.instance_id == outcome.instance_id)).one()
        assert sheet.filename == f"genpyo_kakunin_{person.registration_number}.pdf"
        pdf = get_blob(session, sheet.blob_sha256).data
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "職権修正" in text and NEW_ADDRESS in text


def test_the_clerk_who_entered_the_correction_cannot_approve_it(driver, product):
    person = driver.registered_person()
    outcome = _to_approval(driver, person.resident_id,
                           {"correction_reason": "office", "reason_note": "住民票の写しで誤記を確認",
                            "new_address": NEW_ADDRESS}, actor=MANAGER)
    task_id = driver.open_task(outcome.instance_id)
    with pytest.raises(FourEyesRequired, match="別の職員"):
        driver.runner.complete(task_id, MANAGER, {"approval_decision": "approve"})
    assert _record(product, person.registration_number).address != NEW_ADDRESS

    driver.runner.complete(task_id, Actor("manager2", "manager"), {"approval_decision": "approve"})
    reason, _, new = _history(product, person.registration_number)[-1]
    assert reason == "職権修正（職権）" and new["correction_note"] == "住民票の写しで誤記を確認"
    assert _record(product, person.registration_number).address == NEW_ADDRESS


def test_send_back_returns_to_the_entry_and_writes_nothing_until_approved(driver, product):
    person = driver.registered_person()
    outcome = _to_approval(driver, person.resident_id, {"correction_reason": "notification",
                                                        "new_address": "見本市まちがい町"})
    with pytest.raises(FormInvalid):  # sending back needs a reason for the first clerk
        driver.step(outcome, BACK, {"approval_decision": "send_back"})
    outcome = driver.step(outcome, BACK, {"approval_decision": "send_back", "approval_note": "番地が違います"})
    assert _record(product, person.registration_number).address != "見本市まちがい町"
    assert len(_history(product, person.registration_number)) == 2  # 登録, 登録証交付

    # the entry came back to the clerk who made it (one claim model); a second clerk takes it over to re-enter
    driver.runner.claim(driver.open_task(outcome.instance_id), COUNTER_2, take_over=True)
    outcome = driver.step(outcome, COUNTER_2, {"correction_reason": "notification", "new_address": NEW_ADDRESS})
    outcome = driver.step(outcome, BACK, {"approval_decision": "approve"})
    assert outcome.status == "completed"
    assert _record(product, person.registration_number).address == NEW_ADDRESS


def test_a_field_can_be_cleared_and_kana_is_checked(driver, product):
    person = driver.registered_person()
    with product.session_factory.begin() as session:
        session.get(Registration, _record(product, person.registration_number).id).old_surname = "旧姓"
    outcome = driver.runner.start(PROCESS, COUNTER, {})
    outcome = driver.step(outcome, COUNTER, {"resident_id": person.resident_id})
    with pytest.raises(FormInvalid):
        driver.step(outcome, COUNTER, {"correction_reason": "notification", "new_kana": "kana"})
    outcome = driver.step(outcome, COUNTER, {"correction_reason": "notification", "clear_fields": ["old_surname"]})
    driver.step(outcome, BACK, {"approval_decision": "approve"})
    assert _record(product, person.registration_number).old_surname is None
    _, old, new = _history(product, person.registration_number)[-1]
    assert old["old_surname"] == "旧姓" and new["old_surname"] is None


def test_nothing_changed_is_refused_and_nothing_is_written(driver, product):
    person = driver.registered_person()
    record = _record(product, person.registration_number)
    outcome = _to_approval(driver, person.resident_id, {"correction_reason": "notification",
                                                        "new_address": record.address, "new_name": record.name})
    assert outcome.status == "completed"
    assert _end_event(product, outcome.instance_id) == "end_unchanged"
    assert len(_history(product, person.registration_number)) == 2


def test_no_active_registration_is_refused(driver, product):
    person = driver.registered_person()
    with product.session_factory.begin() as session:
        record = records.registration_by_number(session, person.registration_number)
        close_record(session, record, status=RecordStatus.DELETED, reason="死亡", entry_reason="抹消（死亡）",
                     effective=record.registered_on, after={"juki_event_id": "t-1"},
                     operator="test", instance_id=None)
    outcome = driver.runner.start(PROCESS, COUNTER, {})
    outcome = driver.step(outcome, COUNTER, {"resident_id": person.resident_id})
    assert outcome.status == "completed"
    assert _end_event(product, outcome.instance_id) == "end_not_active"
    assert len(_history(product, person.registration_number)) == 3  # 登録, 登録証交付, 抹消 — nothing by 4.3.1


def test_a_record_closed_before_approval_is_not_corrected(driver, product):
    person = driver.registered_person()
    outcome = _to_approval(driver, person.resident_id, {"correction_reason": "notification",
                                                        "new_address": NEW_ADDRESS})
    with product.session_factory.begin() as session:
        record = records.registration_by_number(session, person.registration_number)
        close_record(session, record, status=RecordStatus.DELETED, reason="転出", entry_reason="抹消（転出）",
                     effective=record.registered_on, after={"juki_event_id": "t-2"},
                     operator="test", instance_id=None)
    outcome = driver.step(outcome, BACK, {"approval_decision": "approve"})
    assert outcome.incident_id is not None
    with product.session_factory() as session:
        assert "廃止・抹消" in session.get(Incident, outcome.incident_id).message
    assert _record(product, person.registration_number).address != NEW_ADDRESS
    assert [reason for reason, _, _ in _history(product, person.registration_number)][-1] == "抹消（転出）"


@pytest.mark.parametrize("values, cleared", [({"birth_date": "2000-01-01"}, []), ({"registration_number": "1"}, []),
                                             ({"impression_id": 1}, []), ({}, ["name"])])
def test_fields_a_correction_may_not_touch_are_refused(driver, product, values, cleared):
    person = driver.registered_person()
    with product.session_factory() as session:
        record = records.registration_by_number(session, person.registration_number)
        with pytest.raises(NotEligible) as refused:
            propose_changes(record, values, cleared)
    assert refused.value.reason == "field_not_correctable"


def test_a_birth_date_entry_is_refused_by_the_form_and_nothing_is_written(driver, product):
    person = driver.registered_person()
    outcome = driver.runner.start(PROCESS, COUNTER, {})
    outcome = driver.step(outcome, COUNTER, {"resident_id": person.resident_id})
    with pytest.raises(FormInvalid):  # the form has no such field
        driver.step(outcome, COUNTER, {"correction_reason": "notification", "new_birth_date": "2000-01-01"})
    assert len(_history(product, person.registration_number)) == 2


def test_a_field_changed_by_4_3_2_after_the_entry_is_not_overwritten(driver, product):
    person = driver.registered_person()
    outcome = _to_approval(driver, person.resident_id, {"correction_reason": "notification",
                                                        "new_address": NEW_ADDRESS})
    with product.session_factory.begin() as session:
        record = records.registration_by_number(session, person.registration_number)
        correct_record(session, record, {"address": "見本市転居先一丁目1番1号"}, reason="転居",
                       effective=record.registered_on, event_id="t-3", operator="test", instance_id=None)
    outcome = driver.step(outcome, BACK, {"approval_decision": "approve"})
    with product.session_factory() as session:
        assert "住所が変更されました" in session.get(Incident, outcome.incident_id).message
    assert _record(product, person.registration_number).address == "見本市転居先一丁目1番1号"
