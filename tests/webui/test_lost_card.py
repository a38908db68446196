"""Issue 18 point 1: a lost card stops working the moment the loss is phoned in.

The whole sequence on both databases: 4.4.1 phone report → issuance suspended in the same transaction (before the
6.2.1 record is completed) → certificate refused on every issuing channel → the person's record opens (pages, API,
documents render the list-valued phone answers) → 6.2.1 completed cannot shorten the stop → 4.4.1.2 in person runs
to its end → the old card is refused on every channel.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from engine.models import ProcessDefinition, ProcessInstance
from engine.runtime.runner import RunOutcome
from handlers import casework
from handlers.services.certificates import CHANNELS
from registry.blobs.store import get_blob
from registry.seals import pin, records
from registry.seals.models import IssuedDocument, RecordStatus, Registration
from tests.support.certificates_flow import CounterDriver
from tests.support.flow import COUNTER
from tests.support.konbini import ask, new_serial, register_with_card
from tests.webui.api_contract import Api

KIOSK_KEY = "kiosk-shared-key-0123456789"
PHONE_ANSWERS_TEXT = "本人確認の回答: なし → 生年月日・住所"


class Channels:
    """Ask for a certificate on every issuing channel (handlers.services.certificates.CHANNELS) and say what it answered.

    This is the hook for a new channel: a 自動交付機 added to CHANNELS fails test_every_channel_is_walked until a
    way of asking it is added here.
    """

    def __init__(self, product, client, record: Registration):
        self.counter, self.client, self.record = CounterDriver(product), client, record

    def ask_counter(self) -> str:
        card = ({"card_kind": "mynumber_card", "mynumber_cert_serial": self.record.mynumber_cert_serial}
                if self.record.mynumber_cert_serial else {"card_number": self.record.card_number})
        outcome = self.counter.request(self.record.resident_id, **card)
        check = self.counter.data(outcome.instance_id)["check"]
        if check["ok"]:
            self.counter.step(outcome, {"fee_decision": "withdrawn"})
        else:
            self.counter.close_refusal(outcome)
        return check["reason"]

    def ask_konbini(self) -> str:
        if not self.record.mynumber_cert_serial:
            return "not_applicable"  # コンビニ交付 is by the My Number card only
        response = ask(self.client, self.record.mynumber_cert_serial)
        return "ok" if response.status_code == 200 else response.get_json()["error"]

    def ask_jidou(self) -> str:
        if not self.record.card_number or self.record.mynumber_cert_serial:
            return "not_applicable"  # the 自動交付機 reads a 印鑑登録証 only
        with self.counter.product.session_factory.begin() as session:
            record = session.get(Registration, self.record.id)
            if pin.pin_of(session, record) is None:
                casework.set_pin_directly(session, self.counter.product.services, record.resident_id, casework.CASE_PIN)
        response = self.client.post("/api/v1/kiosk/certificates",
                                    json={"card_number": self.record.card_number, "pin": casework.CASE_PIN},
                                    headers={"Authorization": f"Bearer {KIOSK_KEY}"})
        return "ok" if response.status_code == 200 else response.get_json()["error"]

    def answers(self) -> dict[str, str]:
        return {channel: getattr(self, f"ask_{channel}")() for channel in CHANNELS}


def test_every_channel_is_walked():
    assert set(CHANNELS) == {name.removeprefix("ask_") for name in vars(Channels) if name.startswith("ask_")}


def _phone_report(product, record: Registration) -> dict:
    with product.session_factory() as session:
        birth = product.juki(session).get_resident(record.resident_id).birth_date.isoformat()
    return {"caller": "family", "caller_name": "家族 太郎", "callback_phone": "090-0000-1111",
            "stated_birth_date": birth, "address_answered": True}


def _report_loss_by_phone(product, driver, record: Registration):
    outcome = product.runner.start("haishi", COUNTER, {"resident_id": record.resident_id})
    outcome = driver.step(outcome, COUNTER, {"request_kind": "lost_phone", "lost_item": "card",
                                             "resident_id": record.resident_id})
    return driver.step(outcome, COUNTER, _phone_report(product, record))


def _current(product, record_id: int) -> Registration:
    with product.session_factory() as session:
        return session.get(Registration, record_id)


def _registered_with(kind: str, driver) -> Registration:
    if kind == "mynumber_card":
        return register_with_card(driver, new_serial())
    person = driver.register()
    with driver.product.session_factory() as session:
        return records.registration_by_number(session, person.registration_number)


@pytest.mark.usefixtures("office_seal", "open_all_day")
@pytest.mark.parametrize("card_kind", ["mynumber_card", "registration_card"])
def test_a_phone_report_stops_every_channel_at_once_and_the_visit_closes_the_record(
        product, driver, client, login, api_token, card_kind, app, monkeypatch):
    monkeypatch.setitem(app.config, "KIOSK_KEY", KIOSK_KEY)
    record = _registered_with(card_kind, driver)
    channels = Channels(product, client, record)
    assert set(channels.answers().values()) <= {"ok", "not_applicable"}  # issued before the loss

    reported = _report_loss_by_phone(product, driver, record)
    with product.session_factory() as session:
        parent = session.get(ProcessInstance, reported.instance_id)
        assert (parent.status, parent.end_event) == ("completed", "end_suspended")
    suspended = _current(product, record.id)
    today = product.services.today()
    assert (suspended.suspended_from, suspended.suspended_until) == (today, None)
    entry = _last_history(product, record.id)
    assert entry.reason == "交付一時停止" and entry.instance_id == reported.instance_id
    assert json.loads(entry.after_json)["identity_answers"] == ["birth_date", "address"]

    # refused on every channel before anyone completes the 6.2.1 record
    assert set(channels.answers().values()) <= {"issuance_suspended", "not_applicable"}

    _record_opens_everywhere(login, client, api_token, record)

    # the 6.2.1 case, completed afterwards with a later period, cannot shorten the stop
    child = CounterDriver(product).data(reported.instance_id)["suspension"]["continue_with"]["instance_id"]
    completed = CounterDriver(product).step(
        RunOutcome(child, "running"), {"resident_id": record.resident_id, "channel": "phone", "reason_kind": "card_lost",
                          "suspended_from": (today + timedelta(days=3)).isoformat(),
                          "suspended_until": (today + timedelta(days=10)).isoformat(),
                          "caller_name": "家族 太郎", "identity_answers": ["birth_date", "address"]})
    assert completed.status == "completed"
    assert (_current(product, record.id).suspended_from, _current(product, record.id).suspended_until) == (today, None)
    assert set(channels.answers().values()) <= {"issuance_suspended", "not_applicable"}

    # 4.4.1.2 in person runs to its end with the 4.4.1.3 sheet listing the phone answers
    visit = product.runner.start("haishi", COUNTER, {"resident_id": record.resident_id})
    visit = driver.step(visit, COUNTER, {"request_kind": "lost", "lost_item": "card", "resident_id": record.resident_id})
    visit = driver.step(visit, COUNTER, {"applicant": "self", "identity_document": "driving_licence",
                                         "identity_checked": True})
    assert visit.status == "completed"
    closed = _current(product, record.id)
    assert (closed.status, closed.close_reason) == (RecordStatus.ABOLISHED, "亡失: 印鑑登録証")
    assert "本人確認の回答: なし → 生年月日・住所" in _closed_sheet_text(product, visit.instance_id)

    # the old card is refused on every channel
    assert set(channels.answers().values()) <= {"registration_closed", "not_applicable"}
    assert "registration_closed" in channels.answers().values()


def _last_history(product, record_id: int):
    with product.session_factory() as session:
        return records.history_of(session, record_id)[-1]


def _closed_sheet_text(product, instance_id: int) -> str:
    with product.session_factory() as session:
        sheet = session.scalars(select(IssuedDocument).where(IssuedDocument.instance_id == instance_id)).one()
        pdf = get_blob(session, sheet.blob_sha256).data
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _record_opens_everywhere(login, client, api_token, record: Registration) -> None:
    """The pages and API answers that failed with 500 on the list of phone answers."""
    api = Api(client, api_token("madoguchi"))
    registration = api.get("/registrations/{number}", number=record.registration_number)
    assert any(PHONE_ANSWERS_TEXT in h["summary"] for h in registration["history"])
    resident = api.get("/residents/{resident_id}", resident_id=record.resident_id)
    assert resident["registrations"][0]["registration_number"] == record.registration_number
    page = login("madoguchi", purpose="counter_application").get(f"/residents/{record.resident_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and PHONE_ANSWERS_TEXT in html and "交付停止中" in html


def test_the_stop_holds_when_the_hand_over_to_6_2_1_fails_and_the_retry_writes_it_once(product, driver):
    record = _registered_with("registration_card", driver)
    with product.session_factory.begin() as session:  # 6.2.1 not deployed (or deactivated): the hand-over fails
        active = session.scalars(select(ProcessDefinition).where(ProcessDefinition.process_id == "ichiji_teishi",
                                                                 ProcessDefinition.is_active.is_(True))).one()
        active.is_active = False
    try:
        reported = _report_loss_by_phone(product, driver, record)
    finally:
        with product.session_factory.begin() as session:
            session.get(ProcessDefinition, active.id).is_active = True
    assert reported.incident_id is not None
    assert _current(product, record.id).suspended_from == product.services.today()  # stopped all the same
    assert Channels(product, None, record).ask_counter() == "issuance_suspended"
    retried = product.runner.retry(reported.incident_id, COUNTER)
    assert retried.incident_id is None
    with product.session_factory() as session:
        assert session.get(ProcessInstance, reported.instance_id).end_event == "end_suspended"
        stops = [e for e in records.history_of(session, record.id)
                 if e.reason == "交付一時停止" and e.instance_id == reported.instance_id]
    assert len(stops) == 1
