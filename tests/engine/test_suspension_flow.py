"""6.2.1 証明書交付一時停止 and 6.2.2 解除 through the real engine: the period on the record with its history entry,
phone requests with the caller and the identity answers, the start from 4.4.1.2, refusals, lifting only in person,
and every certificate request (counter, コンビニ, direct) refused while suspended."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from engine.models import ProcessInstance
from handlers.base import HandlerError
from handlers.environment import Operator
from handlers.services.certificates import issue_certificate
from handlers.services.konbini import KonbiniQuestion, ServiceHours, serve
from tests.support.certificates import ensure_office_seal
from tests.support.certificates_flow import CounterDriver
from tests.support.flow import COUNTER
from tests.webui.test_konbini import new_serial, register_with_card


@pytest.fixture
def counter(product) -> CounterDriver:
    return CounterDriver(product)


@pytest.fixture(scope="module")
def office_seal(product):
    ensure_office_seal(product)


def end_of(product, instance_id: int) -> tuple[str, str | None]:
    with product.session_factory() as session:
        instance = session.get(ProcessInstance, instance_id)
        return instance.status, instance.end_event


def test_a_counter_request_suspends_until_lifted_with_a_history_entry(counter, driver, product):
    person = driver.registered_person()
    outcome = counter.suspend(person.resident_id, reason_detail="印鑑を紛失")
    assert end_of(product, outcome.instance_id) == ("completed", "end_suspended")
    record = counter.record(person.resident_id)
    assert (record.suspended_from, record.suspended_until) == (date(2025, 1, 1), None)
    [entry] = counter.history(person.resident_id, "交付一時停止")
    assert entry["suspended_from"] == "2025-01-01" and "suspended_until" not in entry  # None before and after
    assert (entry["suspension_reason"], entry["channel"], entry["identity_document"]) == (
        "印鑑の亡失・盗難", "窓口", "driving_licence")
    assert entry["reason_detail"] == "印鑑を紛失" and entry["_instance_id"] == outcome.instance_id


def test_a_phone_request_records_who_called_and_what_they_answered(counter, driver):
    person = driver.registered_person()
    counter.suspend(person.resident_id, channel="phone", identity_document=None, caller_name="妻　見本花子",
                    identity_answers=["birth_date", "registration_number"], suspended_from="2025-06-01",
                    suspended_until="2099-12-31")
    record = counter.record(person.resident_id)
    assert (record.suspended_from, record.suspended_until) == (date(2025, 6, 1), date(2099, 12, 31))
    [entry] = counter.history(person.resident_id, "交付一時停止")
    assert (entry["channel"], entry["caller_name"], entry["identity_answers"]) == (
        "電話", "妻　見本花子", ["birth_date", "registration_number"])


def test_a_phone_request_without_two_answers_is_refused_and_nothing_changes(counter, driver, product):
    person = driver.registered_person()
    outcome = counter.suspend(person.resident_id, channel="phone", identity_document=None, caller_name="不明",
                              identity_answers=["address"])
    assert counter.open_spec_names(outcome.instance_id) == ["task_refusal"]
    suspension = counter.data(outcome.instance_id)["suspension"]
    assert (suspension["done"], suspension["reason"]) == (False, "phone_identity_insufficient")
    assert "2項目以上" in suspension["message"]
    outcome = counter.step(outcome, {"refusal_action": "close", "explained": True})
    assert end_of(product, outcome.instance_id) == ("completed", "end_refused")
    assert counter.record(person.resident_id).suspended_from is None
    assert counter.history(person.resident_id, "交付一時停止") == []


@pytest.mark.parametrize(("fields", "reason"), [
    ({"suspended_from": "2025-05-01", "suspended_until": "2025-04-01"}, "bad_period"),
    ({"suspended_until": "2025-02-01"}, "bad_period"),  # already over
])
def test_a_bad_period_is_refused(counter, driver, fields, reason):
    person = driver.registered_person()
    outcome = counter.suspend(person.resident_id, **fields)
    assert counter.data(outcome.instance_id)["suspension"]["reason"] == reason
    assert counter.record(person.resident_id).suspended_from is None


def test_started_by_4_4_1_2_with_its_start_data(counter, driver, product):
    """4.4.1.2 亡失 starts 6.2.1 with a phone report; the counter completes the request."""
    person = driver.registered_person()
    start = {"registration_number": person.registration_number, "reason": "亡失の届出（電話）", "by_phone": True}
    outcome = counter.runner.start("ichiji_teishi", COUNTER, {"resident_id": person.resident_id} | start)
    assert counter.open_spec_names(outcome.instance_id) == ["task_request"]
    with product.session_factory() as session:
        assert session.get(ProcessInstance, outcome.instance_id).subject_resident_id == person.resident_id
    outcome = counter.step(outcome, {"resident_id": person.resident_id, "channel": "phone", "reason_kind": "card_lost",
                                     "suspended_from": product.services.today().isoformat(), "caller_name": "本人",
                                     "identity_answers": ["birth_date", "address"]})
    assert end_of(product, outcome.instance_id) == ("completed", "end_suspended")
    data = counter.data(outcome.instance_id)
    assert (data["reason"], data["by_phone"]) == ("亡失の届出（電話）", True)  # the hand-over is kept
    assert counter.record(person.resident_id).suspended_from == product.services.today()


@pytest.mark.usefixtures("office_seal")
def test_while_suspended_counter_konbini_and_direct_issue_are_all_refused(counter, driver, product):
    serial = new_serial()
    record = register_with_card(driver, serial)
    counter.suspend(record.resident_id, suspended_from=(product.services.today() - timedelta(days=1)).isoformat())
    refused = counter.request(record.resident_id, card_kind="mynumber_card", mynumber_cert_serial=serial)
    assert counter.data(refused.instance_id)["check"]["reason"] == "issuance_suspended"
    always = ServiceHours(time(0, 0), time.max, ())
    answer = serve(product.session_factory, product.services, KonbiniQuestion(serial, "inkan_certificate"), always)
    assert (answer.issued, answer.code) == (False, "issuance_suspended")
    with product.session_factory() as session, pytest.raises(HandlerError) as refused_direct:
        issue_certificate(session, product.services, record.id, channel="counter", actor=Operator("test"))
    assert refused_direct.value.code == "issuance_suspended"


@pytest.mark.usefixtures("office_seal")
def test_lifting_in_person_clears_the_period_and_certificates_are_issued_again(counter, driver, product):
    person = driver.registered_person()
    counter.suspend(person.resident_id)
    outcome = counter.lift(person.resident_id, note="登録証が見つかった")
    assert end_of(product, outcome.instance_id) == ("completed", "end_lifted")
    record = counter.record(person.resident_id)
    assert (record.suspended_from, record.suspended_until) == (None, None)
    [entry] = counter.history(person.resident_id, "交付一時停止解除")
    assert (entry["identity_document"], entry["note"]) == ("mynumber_card", "登録証が見つかった")
    assert "suspended_from" in entry and entry["suspended_from"] is None
    issued = counter.issue(person.resident_id, person.registration_number)
    assert end_of(product, issued.instance_id) == ("completed", "end_issued")


def test_lifting_needs_the_person_in_person(counter, driver, product):
    person = driver.registered_person()
    counter.suspend(person.resident_id)
    outcome = counter.lift(person.resident_id, in_person=False)
    lifting = counter.data(outcome.instance_id)["lifting"]
    assert (lifting["done"], lifting["reason"]) == (False, "identity_not_checked")
    assert counter.record(person.resident_id).suspended_from == date(2025, 1, 1)
    outcome = counter.step(outcome, {"refusal_action": "re_enter", "explained": True})
    assert counter.open_spec_names(outcome.instance_id) == ["task_lift"]


def test_lifting_when_nothing_is_suspended_is_refused(counter, driver):
    person = driver.registered_person()
    outcome = counter.lift(person.resident_id)
    assert counter.data(outcome.instance_id)["lifting"]["reason"] == "not_suspended"
    assert counter.history(person.resident_id, "交付一時停止解除") == []


def test_a_suspension_starting_tomorrow_does_not_stop_today_and_can_be_lifted(counter, driver, product):
    person = driver.registered_person()
    tomorrow = product.services.today() + timedelta(days=1)
    counter.suspend(person.resident_id, suspended_from=tomorrow.isoformat())
    check = counter.data(counter.request(person.resident_id, person.registration_number).instance_id)["check"]
    assert check["ok"] is True
    outcome = counter.lift(person.resident_id)
    assert counter.data(outcome.instance_id)["lifting"]["done"] is True
