"""4.5 異動の取消し through the real engine and handlers: the chosen entry is undone by a NEW history entry after a
second clerk approved (二者確認), then the 4.1.2.2 確認票 or 4.4.1.3 除票確認票; refusals write nothing."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from engine.actor import Actor
from engine.errors import FormInvalid, FourEyesRequired
from engine.models import ProcessInstance
from engine.runtime.queries import instance_detail
from registry.blobs.store import get_blob
from registry.seals import records
from registry.seals.abolition import abolish_record
from registry.seals.changes import correct_record
from registry.seals.models import IssuedDocument, RecordStatus, Registration
from tests.support.flow import BACK, COUNTER

PROCESS = "idou_torikeshi"
BACK_2 = Actor("backyard2", "backyard")
DAY = date(2026, 11, 2)


def _record(product, number: str) -> Registration:
    with product.session_factory() as session:
        record = records.registration_by_number(session, number)
        session.expunge(record)
        return record


def _history(product, number: str) -> list[tuple[int, str, dict, dict]]:
    with product.session_factory() as session:
        record = records.registration_by_number(session, number)
        return [(e.id, e.reason, json.loads(e.before_json), json.loads(e.after_json))
                for e in records.history_of(session, record.id)]


def _entry_id(product, number: str, reason_prefix: str) -> int:
    return next(entry_id for entry_id, reason, _, _ in reversed(_history(product, number))
                if reason == reason_prefix or reason.startswith(f"{reason_prefix}（"))


def _abolish(product, number: str) -> None:
    with product.session_factory.begin() as session:
        abolish_record(session, records.registration_by_number(session, number), reason="廃止の申請",
                       effective=DAY, operator="madoguchi", instance_id=None, card_collected=True)


def _correct(product, number: str, address: str) -> None:
    with product.session_factory.begin() as session:
        correct_record(session, records.registration_by_number(session, number), {"address": address},
                       reason="転居", effective=DAY, event_id=f"ev-{address}", operator="juki", instance_id=None)


def _end_event(product, instance_id: int) -> str | None:
    with product.session_factory() as session:
        return session.get(ProcessInstance, instance_id).end_event


def _to_approval(driver, find: dict, entry_id: int, actor: Actor = BACK):
    outcome = driver.runner.start(PROCESS, actor, {})
    outcome = driver.step(outcome, COUNTER, find)  # 窓口 identifies the record (2.1.3 / 2.2.1)
    return driver.step(outcome, actor, {"entry_id": entry_id, "cancel_reason": "届出書の確認誤り"})


def _sheet_text(product, instance_id: int) -> tuple[str, str]:
    with product.session_factory() as session:
        sheet = session.scalars(select(IssuedDocument).where(IssuedDocument.instance_id == instance_id)).one()
        pdf = get_blob(session, sheet.blob_sha256).data
        return sheet.filename, "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_cancelled_abolition_makes_the_record_active_again_with_a_confirmation_sheet(driver, product):
    person = driver.registered_person()
    _abolish(product, person.registration_number)
    entry_id = _entry_id(product, person.registration_number, "廃止")
    outcome = _to_approval(driver, {"registration_number": person.registration_number}, entry_id)
    outcome = driver.step(outcome, BACK_2, {"approval_decision": "approve"})

    assert outcome.status == "completed" and _end_event(product, outcome.instance_id) == "end_active"
    record = _record(product, person.registration_number)
    assert (record.status, record.closed_on, record.close_reason) == (RecordStatus.REGISTERED, None, None)
    history = _history(product, person.registration_number)
    assert [reason for _, reason, _, _ in history][-2:] == ["廃止（廃止の申請）", "異動の取消し（廃止（廃止の申請））"]
    _, _, before, after = history[-1]
    assert before["status"] == RecordStatus.ABOLISHED and after["status"] == RecordStatus.REGISTERED
    assert after["cancels_entry_id"] == entry_id and after["cancel_reason"] == "届出書の確認誤り"
    filename, text = _sheet_text(product, outcome.instance_id)
    assert filename == f"genpyo_kakunin_{person.registration_number}.pdf" and "異動の取消し" in text


def test_a_cancelled_registration_closes_the_record_and_its_number_is_not_reused(driver, product):
    person = driver.registered_person()
    entry_id = _entry_id(product, person.registration_number, "登録")
    outcome = _to_approval(driver, {"resident_id": person.resident_id}, entry_id)
    outcome = driver.step(outcome, BACK_2, {"approval_decision": "approve"})

    assert _end_event(product, outcome.instance_id) == "end_closed"
    record = _record(product, person.registration_number)
    assert record.status == RecordStatus.DELETED and record.close_reason == "登録の取消し"
    assert record.closed_on is not None
    filename, _ = _sheet_text(product, outcome.instance_id)
    assert filename == f"jyohyo_kakunin_{person.registration_number}.pdf"
    again = driver.registered_person(person.resident_id)  # the person may register anew, under a new number
    assert again.registration_number != person.registration_number


def test_a_cancelled_correction_restores_the_before_values(driver, product):
    person = driver.registered_person()
    old_address = _record(product, person.registration_number).address
    _correct(product, person.registration_number, "見本市誤記町1番")
    entry_id = _entry_id(product, person.registration_number, "修正")
    outcome = _to_approval(driver, {"resident_id": person.resident_id}, entry_id)
    outcome = driver.step(outcome, BACK_2, {"approval_decision": "approve"})

    assert _end_event(product, outcome.instance_id) == "end_active"
    assert _record(product, person.registration_number).address == old_address
    _, reason, before, after = _history(product, person.registration_number)[-1]
    assert reason.startswith("異動の取消し（修正") and before["address"] == "見本市誤記町1番"
    assert after["address"] == old_address


def test_the_clerk_who_chose_the_entry_cannot_approve_and_send_back_returns_to_the_choice(driver, product):
    person = driver.registered_person()
    _abolish(product, person.registration_number)
    entry_id = _entry_id(product, person.registration_number, "廃止")
    outcome = _to_approval(driver, {"registration_number": person.registration_number}, entry_id)
    task_id = driver.open_task(outcome.instance_id)
    with pytest.raises(FourEyesRequired, match="別の職員"):
        driver.runner.complete(task_id, BACK, {"approval_decision": "approve"})
    with pytest.raises(FormInvalid):  # sending back needs a reason
        driver.runner.complete(task_id, BACK_2, {"approval_decision": "send_back"})
    outcome = driver.runner.complete(task_id, BACK_2, {"approval_decision": "send_back", "approval_note": "理由を詳しく"})
    assert _record(product, person.registration_number).status == RecordStatus.ABOLISHED

    outcome = driver.step(outcome, BACK, {"entry_id": entry_id, "cancel_reason": "廃止届の本人確認誤り"})
    outcome = driver.step(outcome, BACK_2, {"approval_decision": "approve"})
    assert _record(product, person.registration_number).status == RecordStatus.REGISTERED


def _refused(driver, product, find: dict, entry_id: int, code: str, number: str) -> str:
    """Run to the refusal; assert its code and that nothing was written; return the message shown."""
    count = len(_history(product, number))
    outcome = driver.runner.start(PROCESS, BACK, {})
    outcome = driver.step(outcome, COUNTER, find)
    outcome = driver.step(outcome, BACK, {"entry_id": entry_id, "cancel_reason": "誤り"})
    assert _end_event(product, outcome.instance_id) == "end_refused"
    with product.session_factory() as session:
        change = instance_detail(session, product.specs, outcome.instance_id).data["torikeshi_change"]
    assert (change["valid"], change["reason"]) == (False, code)
    assert len(_history(product, number)) == count  # nothing written
    return change["message"]


def test_refusals_write_nothing(driver, product):
    person, other = driver.registered_person(), driver.registered_person()
    _correct(product, person.registration_number, "見本市一丁目")
    first = _entry_id(product, person.registration_number, "修正")
    _correct(product, person.registration_number, "見本市二丁目")
    find = {"registration_number": person.registration_number}
    # a later entry changed the same field: cancel that one first
    assert "先にそちらを取り消してください" in _refused(driver, product, find, first, "later_change",
                                                   person.registration_number)
    # an entry of another record
    _refused(driver, product, find, _entry_id(product, other.registration_number, "登録"), "entry_not_of_record",
             person.registration_number)

    later = _entry_id(product, person.registration_number, "修正")
    outcome = _to_approval(driver, find, later)
    driver.step(outcome, BACK_2, {"approval_decision": "approve"})
    assert _record(product, person.registration_number).address == "見本市一丁目"
    # already cancelled
    _refused(driver, product, find, later, "already_cancelled", person.registration_number)


def test_a_closed_record_is_not_reopened_while_the_person_has_another_active_registration(driver, product):
    person = driver.registered_person()
    _abolish(product, person.registration_number)
    entry_id = _entry_id(product, person.registration_number, "廃止")
    again = driver.registered_person(person.resident_id)
    message = _refused(driver, product, {"registration_number": person.registration_number}, entry_id,
                       "registered_again", person.registration_number)
    assert again.registration_number in message
    assert _record(product, person.registration_number).status == RecordStatus.ABOLISHED


def test_an_unknown_record_ends_without_anything_written(driver, product):
    outcome = driver.runner.start(PROCESS, BACK, {})
    outcome = driver.step(outcome, COUNTER, {"registration_number": "999999999"})
    assert _end_event(product, outcome.instance_id) == "end_not_found"


def test_a_reversing_entry_and_an_unknown_entry_cannot_be_cancelled(driver, product):
    person = driver.registered_person()
    _abolish(product, person.registration_number)
    outcome = _to_approval(driver, {"registration_number": person.registration_number},
                           _entry_id(product, person.registration_number, "廃止"))
    driver.step(outcome, BACK_2, {"approval_decision": "approve"})
    reversing = _entry_id(product, person.registration_number, "異動の取消し")
    find = {"registration_number": person.registration_number}
    assert "取消しの履歴は取り消せません" in _refused(driver, product, find, reversing, "not_cancellable",
                                                  person.registration_number)
    _refused(driver, product, find, reversing + 10_000, "entry_not_found", person.registration_number)
