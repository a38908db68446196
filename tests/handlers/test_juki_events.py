"""住民記録連動: each change recorded in the simulated register leads to the right registry outcome (4.2.2 / 4.3.2)."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from engine.actor import Actor
from engine.errors import FormInvalid
from engine.models import ProcessInstance
from engine.runtime.queries import open_tasks_of_instance
from handlers.services.history_labels import change_summary
from registry.blobs.store import get_blob
from registry.documents.models import PrintQueueItem
from registry.seals import records
from tests.support.resident_events import (
    days_ago,
    deliver,
    documents,
    instance_of,
    process,
    received,
    record,
    record_and_process,
    registration,
)

BACK = Actor("backyard", "backyard")


def reasons(product, number: str) -> list[str]:
    with product.session_factory() as session:
        return [e.reason for e in records.history_of(session, registration(product, number).id)]


@pytest.mark.parametrize(("change", "reason"), [("die", "死亡"), ("move_out", "転出"),
                                                ("start_guardianship", "後見開始")])
def test_closing_change_makes_the_record_a_closed_record(product, driver, change, reason):
    registered = driver.registered_person()
    events = record_and_process(product, change, registered.resident_id, effective=days_ago(product, 2))
    instance = instance_of(product, events[0])
    assert instance.process_id == "juki_rendou_massho" and instance.status == "completed"
    assert instance.subject_registration_number == registered.registration_number
    record_ = registration(product, registered.registration_number)
    assert (record_.status, record_.close_reason, record_.closed_on) == ("deleted", reason, days_ago(product, 2))
    assert reasons(product, registered.registration_number)[-1] == f"抹消（{reason}）"
    sheet = documents(product, registered.registration_number)[0]
    assert sheet.kind == "4.4.1.3 印鑑登録原票（除票）確認票" and sheet.instance_id == instance.id
    with product.session_factory() as session:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(get_blob(session, sheet.blob_sha256).data)).pages)
        notice = session.scalars(select(PrintQueueItem).where(PrintQueueItem.registration_id == record_.id)).one()
    assert "除票" in text and reason in text and registered.registration_number in text
    assert notice.document == "deletion_notice" and notice.instance_id == instance.id


def test_move_within_corrects_the_address_with_a_history_entry(product, driver):
    registered = driver.registered_person()
    events = record_and_process(product, "move_within", registered.resident_id, address="見本市緑町三丁目4番5号")
    assert instance_of(product, events[0]).end_event == "end_corrected"
    assert registration(product, registered.registration_number).address == "見本市緑町三丁目4番5号"
    with product.session_factory() as session:
        entry = records.history_of(session, registration(product, registered.registration_number).id)[-1]
    assert entry.reason == "修正（転居）" and json.loads(entry.after_json)["address"] == "見本市緑町三丁目4番5号"
    assert documents(product, registered.registration_number)[0].kind == "4.1.2.2 印鑑登録原票確認票"


@pytest.mark.parametrize(("decision", "status", "name"), [("keep", "registered", "改名　一郎"),
                                                          ("mismatch", "deleted", None)])
def test_name_change_waits_for_the_backyard_decision(product, driver, decision, status, name):
    registered = driver.registered_person()
    old_name = registration(product, registered.registration_number).name
    events = record_and_process(product, "rename", registered.resident_id, name="改名　一郎", kana="カイメイ　イチロウ")
    instance = instance_of(product, events[0])
    with product.session_factory() as session:
        task = open_tasks_of_instance(session, instance.id)[0]
    assert (task.spec_name, task.lane) == ("task_name_decision", "バックヤード")
    assert registration(product, registered.registration_number).status == "registered"  # nothing before the decision
    with pytest.raises(FormInvalid) as no_reason:  # the decision needs its reason (issue 18 point 6)
        product.runner.complete(task.id, BACK, {"impression_decision": decision, "decision_note": "  "})
    assert "decision_note" in no_reason.value.errors
    product.runner.complete(task.id, BACK, {"impression_decision": decision, "decision_note": "印影の「改名」を確認"})
    record_ = registration(product, registered.registration_number)
    assert record_.status == status and record_.name == (name or old_name)
    if decision == "mismatch":
        assert record_.close_reason == "氏名変更（印影が氏名を表さない）"
    with product.session_factory() as session:
        entry = records.history_of(session, record_.id)[-1]
    after = json.loads(entry.after_json)
    assert (after["name_decision"], after["decision_reason"]) == (decision, "印影の「改名」を確認")
    assert "判断の理由: なし → 印影の「改名」を確認" in change_summary(entry)


def test_same_event_twice_changes_nothing(product, driver):
    registered = driver.registered_person()
    events = record(product, "die", registered.resident_id)
    assert deliver(product, events[0]) == [True]
    assert deliver(product, events[0]) == [False]
    process(product)
    assert deliver(product, events[0]) == [False]  # also after processing
    assert process(product) == 0
    assert reasons(product, registered.registration_number).count("抹消（死亡）") == 1
    instance = instance_of(product, events[0])
    with product.session_factory() as session:
        started = session.scalars(select(ProcessInstance).where(
            ProcessInstance.subject_resident_id == registered.resident_id,
            ProcessInstance.process_id == "juki_rendou_massho")).all()
    assert [i.id for i in started] == [instance.id]


def test_replayed_message_writes_nothing(product, driver):
    """The flow itself is idempotent: the same event reaching it again (a crash before the receipt) adds nothing."""
    registered = driver.registered_person()
    events = record_and_process(product, "die", registered.resident_id)
    payload = json.loads(json.dumps(received(product, events[0]).event().to_json())) | {"kind": "death"}
    outcome = product.runner.start_by_message("juki.death", payload)
    with product.session_factory() as session:
        instance = session.get(ProcessInstance, outcome.instance_id)
    assert instance.end_event == "end_nothing"
    assert reasons(product, registered.registration_number).count("抹消（死亡）") == 1


def test_events_in_one_batch_are_processed_by_effective_date(product, driver):
    registered = driver.registered_person()
    moved = record(product, "move_within", registered.resident_id, effective=days_ago(product, 10),
                   address="見本市東町一丁目1番1号")
    left = record(product, "move_out", registered.resident_id, effective=days_ago(product, 5))
    deliver(product, *left, *moved)  # the 転出 arrives first
    process(product)
    record_ = registration(product, registered.registration_number)
    assert (record_.address, record_.status) == ("見本市東町一丁目1番1号", "deleted")
    assert reasons(product, registered.registration_number)[-2:] == ["修正（転居）", "抹消（転出）"]


def test_move_dated_before_a_processed_move_out_leaves_the_closed_record_alone(product, driver):
    registered = driver.registered_person()
    address = registration(product, registered.registration_number).address
    moved = record(product, "move_within", registered.resident_id, effective=days_ago(product, 10),
                   address="見本市西町二丁目2番2号")
    left = record(product, "move_out", registered.resident_id, effective=days_ago(product, 5))
    deliver(product, *left)
    process(product)
    deliver(product, *moved)
    process(product)
    row = received(product, moved[0])
    assert row.outcome == "ignored" and "除票" in row.reason
    assert registration(product, registered.registration_number).address == address


def test_older_change_of_the_same_field_does_not_overwrite_a_newer_one(product, driver):
    registered = driver.registered_person()
    first = record(product, "move_within", registered.resident_id, effective=days_ago(product, 10), address="見本市北町1番")
    second = record(product, "move_within", registered.resident_id, effective=days_ago(product, 3), address="見本市南町2番")
    deliver(product, *second)
    process(product)
    deliver(product, *first)
    process(product)
    assert received(product, first[0]).outcome == "ignored"
    assert registration(product, registered.registration_number).address == "見本市南町2番"


def test_change_of_a_person_without_registration_is_recorded_as_not_relevant(product, driver):
    resident_id = driver.fresh_resident()
    events = record_and_process(product, "die", resident_id)
    row = received(product, events[0])
    assert (row.outcome, row.instance_id) == ("not_relevant", None) and row.processed_at is not None


def test_event_for_an_unknown_resident_becomes_an_incident(product):
    from tests.handlers.linkage.test_intake import make_event

    event = make_event(resident_id="X99999999", kind="death", changes={})
    deliver(product, event)
    process(product)
    row = received(product, event)
    assert row.outcome == "incident" and "X99999999" in row.reason and "住民記録に該当者がいない" in row.reason


def test_cancelled_death_restores_the_record(product, driver):
    registered = driver.registered_person()
    died = record_and_process(product, "die", registered.resident_id, effective=days_ago(product, 3))
    cancelled = record_and_process(product, "cancel", registered.resident_id, event_id=died[0].event_id)
    assert instance_of(product, cancelled[0]).end_event == "end_undone"
    record_ = registration(product, registered.registration_number)
    assert (record_.status, record_.closed_on, record_.close_reason) == ("registered", None, None)
    assert reasons(product, registered.registration_number)[-2:] == ["抹消（死亡）", "回復（異動の取消し）"]


def test_cancellation_after_a_new_registration_does_not_restore(product, driver):
    registered = driver.registered_person()
    left = record_and_process(product, "move_out", registered.resident_id)
    cancelled = record(product, "cancel", registered.resident_id, event_id=left[0].event_id)
    again = driver.registered_person(registered.resident_id)  # registered anew before the cancellation arrives
    deliver(product, *cancelled)
    process(product)
    row = received(product, cancelled[0])
    assert row.outcome == "ignored" and "新しい印鑑登録" in row.reason
    assert registration(product, registered.registration_number).status == "deleted"
    assert registration(product, again.registration_number).status == "registered"
