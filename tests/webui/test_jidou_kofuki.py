"""自動交付機 (issue 16.7): 印鑑登録証 + 5.2.4 暗証番号 → 印鑑登録証明書 at POST /api/v1/kiosk/certificates; three
wrong PINs lock the card (persisted, audited, also at the counter) until a clerk unlocks it or 5.3 resets the PIN;
suspended and closed registrations refused; the key, bad input, the simulated machine and the reports."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate
from pypdf import PdfReader
from sqlalchemy import select

from engine.models import AuditEvent
from handlers import casework
from handlers.services.jidou_kofuki import REFUSALS
from registry.jidou.models import JidouRequest
from registry.seals import pin, records
from registry.seals.models import Registration
from registry.seals.reports import certificate_refusals, certificates_per_day
from tests.support.pins import shows_pin
from webui.audit.dashboard import build_dashboard

KEY = "kiosk-shared-key-0123456789"
PIN = casework.CASE_PIN
DOC = Path(__file__).resolve().parents[2] / "docs/jidou_kofuki/openapi.yaml"
pytestmark = pytest.mark.usefixtures("office_seal")


@pytest.fixture
def kiosk_key(app, monkeypatch):
    monkeypatch.setitem(app.config, "KIOSK_KEY", KEY)


@pytest.fixture
def card(product, driver) -> Registration:
    """A registered person with a 印鑑登録証 and a PIN set at an earlier visit."""
    person = driver.registered_person()
    with product.session_factory.begin() as session:
        casework.set_pin_directly(session, product.services, person.resident_id, PIN)
        record = records.registration_by_number(session, person.registration_number)
        session.expunge(record)
    return record


def ask(client, card_number: str, entered: str = PIN, key: str = KEY, **body):
    return client.post("/api/v1/kiosk/certificates", json={"card_number": card_number, "pin": entered,
                                                           "terminal": "庁舎1階-01"} | body,
                       headers={"Authorization": f"Bearer {key}"})


def logged(product, request_id: str) -> JidouRequest:
    with product.session_factory() as session:
        return session.scalars(select(JidouRequest).where(JidouRequest.request_id == request_id)).one()


def audit_kinds(product, registration_number: str) -> list[str]:
    with product.session_factory() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        return [e.kind for e in events if registration_number in (e.summary_json or "")]


def test_the_card_and_its_pin_get_the_certificate_pdf(client, product, card, kiosk_key):
    response = ask(client, card.card_number)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "印鑑登録証明書" in text and card.registration_number in text
    row = logged(product, response.headers["X-Kiosk-Request-Id"])
    assert (row.outcome, row.code, row.registration_id, row.channel, row.terminal) == (
        "issued", "issued", card.id, "api", "庁舎1階-01")
    assert not shows_pin(repr(vars(row)), PIN)  # the PIN is never logged


def test_three_wrong_pins_lock_the_card_until_a_clerk_unlocks_it(client, product, card, kiosk_key, login):
    answers = [ask(client, card.card_number, "0000").get_json() for _ in range(3)]
    assert [a["error"] for a in answers] == ["pin_mismatch", "pin_mismatch", "pin_locked"]
    assert [a.get("attempts_left") for a in answers[:2]] == [2, 1] and "3回誤った" in answers[2]["message"]
    locked = ask(client, card.card_number)  # the right PIN is refused while locked
    assert locked.status_code == 422 and locked.get_json()["error"] == "pin_locked"
    with product.session_factory() as session:
        assert session.get(pin.RegistrationPin, card.id).locked_at is not None  # persisted
    assert audit_kinds(product, card.registration_number)[-3:] == ["pin_mismatch", "pin_mismatch", "pin_locked"]

    clerk = login("madoguchi", purpose="counter_application")
    page = clerk.get("/jidou/locked")
    assert page.status_code == 200 and card.registration_number in page.get_data(as_text=True)
    assert clerk.post(f"/jidou/unlock/{card.id}", data={"reason": ""}).status_code == 303  # refused: no reason
    assert ask(client, card.card_number).get_json()["error"] == "pin_locked"
    assert clerk.post(f"/jidou/unlock/{card.id}", data={"reason": "運転免許証で本人確認"}).status_code == 303
    assert "pin_unlocked" in audit_kinds(product, card.registration_number)
    assert ask(client, card.card_number).status_code == 200
    with product.session_factory() as session:
        assert "暗証番号ロック解除" in [e.reason for e in records.history_of(session, card.id)]


def test_a_new_pin_set_in_5_3_lifts_the_lock(client, product, card, kiosk_key):
    for _ in range(3):
        ask(client, card.card_number, "0000")
    with product.session_factory.begin() as session:
        record = session.get(Registration, card.id)
        pin.reset_pin(session, record, "8642", product.services.settings.pin_pepper,
                      today=product.services.today(), operator="madoguchi", instance_id=None)
    assert ask(client, card.card_number, "8642").status_code == 200


@pytest.mark.parametrize(("prepare", "code"), [("suspend", "issuance_suspended"), ("abolish", "registration_closed")])
def test_suspended_and_closed_registrations_are_refused(client, product, card, kiosk_key, prepare, code):
    with product.session_factory.begin() as session:
        row = session.get(Registration, card.id)
        if prepare == "abolish":
            row.status, row.closed_on = "abolished", product.services.today()
        else:
            row.suspended_from = product.services.today() - timedelta(days=1)
    response = ask(client, card.card_number)
    body = response.get_json()
    assert response.status_code == 422 and body["error"] == code
    assert (logged(product, body["request_id"]).outcome, logged(product, body["request_id"]).document_sha) == (
        "refused", None)


def test_a_wrong_pin_on_a_closed_registration_says_nothing_about_it(client, product, card, kiosk_key):
    with product.session_factory.begin() as session:
        session.get(Registration, card.id).status = "abolished"
    assert ask(client, card.card_number, "0000").get_json()["error"] == "pin_mismatch"


def test_unknown_card_and_card_without_pin(client, product, driver, kiosk_key):
    assert ask(client, "ZZZZ9999").get_json()["error"] == "card_not_found"
    person = driver.registered_person()
    assert ask(client, person.registration_number).get_json()["error"] == "pin_not_set"


def test_the_key_and_bad_input(client, app, monkeypatch, api_token, card):
    monkeypatch.setitem(app.config, "KIOSK_KEY", "")
    assert ask(client, card.card_number).status_code == 503
    monkeypatch.setitem(app.config, "KIOSK_KEY", KEY)
    wrong = ask(client, card.card_number, key="wrong")
    assert wrong.status_code == 401 and wrong.get_json()["error"] == "unauthorized"
    staff = client.post("/api/v1/kiosk/certificates", json={"card_number": card.card_number, "pin": PIN},
                        headers=api_token("admin"))
    assert staff.status_code == 401  # a staff token is not the machines' key
    headers = {"Authorization": f"Bearer {KEY}"}
    assert client.post("/api/v1/kiosk/certificates", data="nope", headers=headers).status_code == 415
    for body in ({"card_number": card.card_number}, {"card_number": card.card_number, "pin": "12a4"},
                 {"card_number": "", "pin": PIN}, {"card_number": "9" * 41, "pin": PIN},
                 {"card_number": card.card_number, "pin": 1234}, [1, 2]):
        bad = client.post("/api/v1/kiosk/certificates", json=body, headers=headers)
        assert bad.status_code == 400 and bad.get_json()["error"] == "bad_request", body


def test_the_simulated_machine_page(login, card, product):
    admin = login("admin")
    page = admin.post("/jidou", data={"card_number": card.card_number, "pin": PIN})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "交付しました" in html and "<iframe" in html
    pdf_url = html.split('src="')[1].split('"')[0] if 'iframe title' in html else None
    assert pdf_url and admin.get(pdf_url).mimetype == "application/pdf"
    refused = admin.post("/jidou", data={"card_number": card.card_number, "pin": "0000"})
    assert refused.status_code == 422 and "あと2回でロック" in refused.get_data(as_text=True)
    assert admin.post("/jidou", data={"card_number": card.card_number, "pin": "x"}).status_code == 400


@pytest.mark.parametrize("role", ["madoguchi", "backyard", "manager", "auditor"])
def test_the_simulated_machine_is_for_admins_only(login, role):
    assert login(role).get("/jidou").status_code == 403


def test_certificates_and_refusals_are_counted_in_the_reports(client, product, card, kiosk_key):
    assert ask(client, card.card_number).status_code == 200
    ask(client, card.card_number, "0000")
    today = product.services.today()
    with product.session_factory() as session:
        issued = {channel: n for day, channel, n in certificates_per_day(session, today, today)}
        start = datetime.combine(today - timedelta(days=1), datetime.min.time())
        refused = certificate_refusals(session, start, start + timedelta(days=3))
    assert issued.get("jidou", 0) >= 1
    assert any(channel == "jidou" and code == "pin_mismatch" for channel, code, _ in refused)
    with product.session_factory() as session:
        dashboard = build_dashboard(session, today, today)
    assert any(place == "自動交付機" and n >= 1 for _, place, n in dashboard.tables["certificates"])
    assert any(kind == "6.1 証明書（自動交付機）" and label == "暗証番号の誤り"
               for kind, label, *_ in dashboard.tables["refusals"])


def test_the_contract_document_is_valid_and_names_every_refusal():
    doc = yaml.safe_load(DOC.read_text("utf-8"))
    validate(doc)
    assert set(doc["paths"]) == {"/certificates"}
    codes = doc["paths"]["/certificates"]["post"]["responses"]["422"]["content"]["application/json"]["schema"][
        "properties"]["error"]["enum"]
    assert set(codes) == set(REFUSALS)
