"""11 コンビニ交付: POST /api/v1/konbini/certificates answered with the certificate PDF or refused for each reason,
every request logged; the kiosk page; the service-hours rules; 5.4 J-LIS checked at linking and at each use."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from pypdf import PdfReader

from handlers.operators.registration import check_card
from handlers.services.konbini import ServiceHours
from juki import jlis
from registry.seals import records
from registry.seals.models import Registration
from tests.support.certificates import unspaced
from tests.support.konbini import (
    KEY,
    ask,
    logged,
    new_serial,
    register_with_card,
)


def test_linking_the_card_stores_the_serial(driver, office_seal):
    serial = new_serial()
    record = register_with_card(driver, serial)
    assert (record.card_kind, record.mynumber_cert_serial) == ("個人番号カード", serial)


def test_a_valid_card_gets_the_certificate_pdf_and_the_answer_is_logged(client, product, driver, office_seal,
                                                                         open_all_day):
    serial = new_serial()
    record = register_with_card(driver, serial)
    response = ask(client, serial)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "印鑑登録証明書" in unspaced(text) and unspaced(record.name) in unspaced(text)
    row = logged(product, response.headers["X-Konbini-Request-Id"])
    assert (row.outcome, row.code, row.registration_id, row.channel, row.terminal) == (
        "issued", "issued", record.id, "api", "store-0001")
    assert row.document_sha and row.answered_at is not None


@pytest.mark.parametrize(("prepare", "code", "words"), [
    ("revoke", "certificate_revoked", "失効"),
    ("expire", "certificate_expired", "有効期限"),
    ("unlinked", "card_not_linked", "利用登録されていません"),
    ("abolish", "registration_closed", "廃止または抹消"),
    ("suspend", "issuance_suspended", "一時停止"),
])
def test_each_refusal_reason(client, product, driver, office_seal, open_all_day, prepare, code, words):
    serial = new_serial()
    if prepare != "unlinked":
        record = register_with_card(driver, serial)
    with product.session_factory.begin() as session:
        if prepare in ("revoke", "expire"):
            jlis.put_certificate(session, serial, {"revoke": "revoked", "expire": "expired"}[prepare], actor="test")
        row = session.get(Registration, record.id) if prepare in ("abolish", "suspend") else None
        if prepare == "abolish":
            row.status, row.closed_on = "abolished", product.services.today()
        if prepare == "suspend":
            row.suspended_from = product.services.today() - timedelta(days=1)
    response = ask(client, serial)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == code and words in body["message"]
    row = logged(product, body["request_id"])
    assert (row.outcome, row.code, row.document_sha) == ("refused", code, None)


def test_unknown_certificate_and_unsupported_kind(client, open_all_day):
    assert ask(client, "X1").get_json()["error"] == "certificate_unknown"
    assert ask(client, new_serial(), kind="juminhyo").get_json()["error"] == "unsupported_kind"
    assert ask(client, "A" * 60 + "B").get_json()["error"] == "certificate_unknown"  # never served cut short


def test_outside_service_hours_and_closed_days(client, app, product, monkeypatch, open_all_day):
    now = product.services.now()
    hour = (now.hour + 2) % 24
    monkeypatch.setitem(app.config, "KONBINI_HOURS", f"{hour:02d}:00-{hour + 1:02d}:00")
    body = ask(client, new_serial()).get_json()
    assert body["error"] == "outside_service_hours" and f"{hour:02d}:00" in body["message"]
    monkeypatch.setitem(app.config, "KONBINI_HOURS", "00:00-24:00")
    monkeypatch.setitem(app.config, "KONBINI_CLOSED_DAYS", f"{now.month:02d}-{now.day:02d}")
    assert ask(client, new_serial()).get_json()["error"] == "closed_day"


@pytest.mark.parametrize(("moment", "refusal"), [
    (datetime(2026, 5, 1, 6, 29), "outside_service_hours"), (datetime(2026, 5, 1, 6, 30), None),
    (datetime(2026, 5, 1, 22, 59), None), (datetime(2026, 5, 1, 23, 0), "outside_service_hours"),
    (datetime(2026, 12, 29, 12, 0), "closed_day"), (datetime(2027, 1, 3, 12, 0), "closed_day"),
    (datetime(2027, 1, 4, 12, 0), None),
])
def test_default_service_hours(moment, refusal):
    assert ServiceHours().refusal(moment) == refusal
    assert ServiceHours.parse("06:30-23:00", "12-29,12-30,12-31,01-01,01-02,01-03") == ServiceHours()


@pytest.mark.parametrize(("hours", "days"), [("23:00-06:30", ""), ("6時-23時", ""), ("06:30-23:00", "02-30")])
def test_bad_service_hours_are_refused(hours, days):
    with pytest.raises(ValueError, match="コンビニ交付"):
        ServiceHours.parse(hours, days)


def test_authentication(client, app, monkeypatch, api_token):
    monkeypatch.setitem(app.config, "KONBINI_KEY", "")
    assert ask(client, new_serial()).status_code == 503
    monkeypatch.setitem(app.config, "KONBINI_KEY", KEY)
    wrong = ask(client, new_serial(), key="wrong")
    assert wrong.status_code == 401 and wrong.get_json()["error"] == "unauthorized"
    staff = client.post("/api/v1/konbini/certificates", json={"cert_serial": "A", "kind": "inkan_certificate"},
                        headers=api_token("admin"))
    assert staff.status_code == 401  # a staff token is not the 交付センター's key
    bad = client.post("/api/v1/konbini/certificates", data="nope", headers={"Authorization": f"Bearer {KEY}"})
    assert bad.status_code == 400 and "cert_serial" in bad.get_json()["message"]


def test_kiosk_page_shows_the_pdf_or_the_refusal(login, driver, office_seal, open_all_day):
    serial = new_serial()
    register_with_card(driver, serial)
    admin = login("admin")
    page = admin.post("/kiosk", data={"serial": serial, "kind": "inkan_certificate"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "交付しました" in html and "<iframe" in html
    refused = admin.post("/kiosk", data={"serial": "SHORT", "kind": "inkan_certificate"})
    assert refused.status_code == 422 and "交付できません" in refused.get_data(as_text=True)
    assert "端末シミュレータ" in admin.get("/kiosk").get_data(as_text=True)


@pytest.mark.parametrize("role", ["madoguchi", "backyard", "manager", "auditor"])
def test_kiosk_is_for_admins_only(login, role):
    assert login(role).get("/kiosk").status_code == 403
    assert login(role).post("/kiosk", data={"serial": "X"}).status_code == 403


def test_check_card_asks_jlis_again_at_each_use(product, driver, office_seal):
    serial = new_serial()
    record = register_with_card(driver, serial)
    with product.session_factory.begin() as session:
        assert check_card(session, product.services, record).valid is True
        jlis.put_certificate(session, serial, "revoked", actor="test")
        assert check_card(session, product.services, record).status == "revoked"
        plain = replace_card(session, record)
        assert check_card(session, product.services, plain) is None


def replace_card(session, record: Registration) -> Registration:
    records.set_card(session, record, card_kind="印鑑登録証", card_number=record.registration_number,
                     cert_serial=None, today=date.today(), operator="test", instance_id=None)
    return record


def test_the_documented_refusal_codes_are_the_handlers():
    from pathlib import Path

    import yaml

    from handlers.services.konbini import REFUSALS

    doc = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs/konbini/openapi.yaml").read_text("utf-8"))
    refused = doc["paths"]["/certificates"]["post"]["responses"]["422"]["content"]["application/json"]["schema"]
    assert set(REFUSALS) | {"office_seal_missing"} == set(refused["properties"]["error"]["enum"])
