"""Failure of a neighbour, J-LIS (issue 5): with the simulated J-LIS set to 応答なし（障害） on its admin page,
linking a My Number card at 5.4 fails as an incident 'jlis_unavailable' with nothing written, and once J-LIS
answers again the retry completes the registration; コンビニ交付 is refused 'jlis_unavailable' (logged), never a
500. Only administrators switch the outage, with a CSRF-protected form."""

from __future__ import annotations

import re
import secrets

import pytest
from sqlalchemy import func, select

from conftest import ROLES, TEST_PASSWORD, make_test_app
from engine.models import Incident
from juki import jlis
from registry.documents.models import IssuedCertificate
from registry.seals import records
from registry.seals.models import Registration
from registry.seals.numbering import last_serial
from tests.support.flow import BACK, COUNTER
from tests.support.konbini import ask, logged, register_with_card

# office_seal and open_all_day are the web tests' fixtures (tests/webui/conftest.py), taken by name in usefixtures below.

JLIS_DOWN = "J-LIS（地方公共団体情報システム機構）が応答しない"


@pytest.fixture
def jlis_mode(login):
    """switch(mode, delay) posts the admin page's form; J-LIS is put back to 正常 after the test."""
    admin = login("admin")

    def switch(mode: str, delay: str = ""):
        return admin.post("/admin/jlis/outage", data={"mode": mode, "delay_seconds": delay})

    yield switch
    assert switch("normal").status_code == 302


def valid_certificate(product) -> str:
    serial = secrets.token_hex(8).upper()
    with product.session_factory.begin() as session:
        jlis.put_certificate(session, serial, "valid", actor="test")
    return serial


def to_card_task(driver):
    """4.1.2 with photo ID up to the card task (the registration and its number exist already)."""
    outcome = driver.to_scan(driver.fresh_resident())
    outcome = driver.step(outcome, BACK, {"scan_blob_id": driver.scan("障害")})
    return driver.step(outcome, BACK, {"impression_decision": "accept", "impression_name": "full_name"})


def registration_of(product, instance_id: int) -> tuple[Registration, list]:
    with product.session_factory() as session:
        record = session.scalars(select(Registration).where(Registration.instance_id == instance_id)).one()
        return record, [entry.reason for entry in records.history_of(session, record.id)]


def test_card_link_during_an_outage_is_an_incident_retried_once_jlis_answers(product, driver, login, jlis_mode):
    serial = valid_certificate(product)
    outcome = to_card_task(driver)
    before, history_before = registration_of(product, outcome.instance_id)
    with product.session_factory() as session:
        numbers_before = last_serial(session)
    assert jlis_mode("down").status_code == 302

    failed = driver.step(outcome, BACK, {"card_kind": "mynumber_card", "mynumber_cert_serial": serial})

    assert failed.incident_id is not None and failed.status == "error"
    with product.session_factory() as session:
        incident = session.get(Incident, failed.incident_id)
        assert (incident.error_code, incident.spec_name) == ("jlis_unavailable", "svc_card")
        assert JLIS_DOWN in incident.message and "再試行" in incident.message
        assert last_serial(session) == numbers_before  # no number consumed
    after, history_after = registration_of(product, outcome.instance_id)
    assert (after.card_kind, after.mynumber_cert_serial) == (before.card_kind, None)  # no card linked
    assert history_after == history_before and "登録証交付" not in history_after
    page = login("manager").get(f"/instances/{failed.instance_id}").get_data(as_text=True)
    assert JLIS_DOWN in page and "jlis_unavailable" in page  # what the clerk's supervisor sees before retrying

    assert jlis_mode("normal").status_code == 302
    retried = login("manager").post(f"/instances/incidents/{failed.incident_id}/retry")
    assert retried.status_code == 302
    with product.session_factory() as session:
        assert session.get(Incident, failed.incident_id).resolved_at is not None
    done = driver.step(failed, COUNTER, {"handed_over": True})
    assert done.status == "completed"
    linked, history = registration_of(product, outcome.instance_id)
    assert (linked.card_kind, linked.mynumber_cert_serial) == ("個人番号カード", serial)
    assert linked.registration_number == before.registration_number and history.count("登録証交付") == 1
    with product.session_factory() as session:
        assert last_serial(session) == numbers_before


def test_a_delay_beyond_the_timeout_is_the_same_incident(product, driver, jlis_mode, monkeypatch):
    monkeypatch.setattr(product.services.jlis, "timeout", 0.05)  # the delay below is 600 times longer
    serial = valid_certificate(product)
    outcome = to_card_task(driver)
    assert jlis_mode("slow", "30").status_code == 302
    failed = driver.step(outcome, BACK, {"card_kind": "mynumber_card", "mynumber_cert_serial": serial})
    with product.session_factory() as session:
        incident = session.get(Incident, failed.incident_id)
        assert incident.error_code == "jlis_unavailable" and "0.05秒以内に応答しませんでした" in incident.message
    assert registration_of(product, outcome.instance_id)[0].mynumber_cert_serial is None


@pytest.mark.usefixtures("office_seal", "open_all_day")
def test_konbini_during_an_outage_is_refused_and_logged(product, client, driver, jlis_mode):
    serial = valid_certificate(product)
    register_with_card(driver, serial)
    with product.session_factory() as session:
        issued_before = session.scalar(select(func.count()).select_from(IssuedCertificate))
    assert jlis_mode("down").status_code == 302

    refused = ask(client, serial)

    assert refused.status_code == 422
    body = refused.get_json()
    assert body["error"] == "jlis_unavailable" and JLIS_DOWN in body["message"]
    row = logged(product, body["request_id"])
    assert (row.outcome, row.code, row.message) == ("refused", "jlis_unavailable", body["message"])
    with product.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(IssuedCertificate)) == issued_before

    assert jlis_mode("normal").status_code == 302
    again = ask(client, serial)
    assert again.status_code == 200 and again.mimetype == "application/pdf"


@pytest.mark.usefixtures("open_all_day")
def test_the_kiosk_page_shows_the_refusal(login, jlis_mode):
    assert jlis_mode("down").status_code == 302
    page = login("admin").post("/kiosk", data={"serial": "ABCDEF0123456789", "kind": "inkan_certificate"})
    assert page.status_code == 422 and JLIS_DOWN in page.get_data(as_text=True)


def test_the_admin_switches_the_outage_on_the_jlis_page(login, product, jlis_mode):
    admin = login("admin")
    assert jlis_mode("down").status_code == 302
    page = admin.get("/admin/jlis", query_string={"serial": "ABCDEF0123456789"}).get_data(as_text=True)
    assert "「応答なし（障害）」に設定されています" in page and JLIS_DOWN in page  # the check fails as the registry's
    assert jlis_mode("slow", "12").status_code == 302
    assert "「遅延（12秒）」に設定されています" in admin.get("/admin/jlis").get_data(as_text=True)
    assert jlis_mode("normal").status_code == 302
    page = admin.get("/admin/jlis", query_string={"serial": "ABCDEF0123456789"}).get_data(as_text=True)
    assert "に設定されています" not in page and "有効です（J-LIS確認済み）" in page


@pytest.mark.parametrize(("form", "message"), [
    ({"mode": "broken"}, "正常・応答なし（障害）・遅延"),
    ({"mode": "slow", "delay_seconds": ""}, "遅延の秒数は0より大きく600以下"),
    ({"mode": "slow", "delay_seconds": "-3"}, "遅延の秒数は0より大きく600以下"),
])
def test_bad_outage_forms_are_refused_in_japanese(login, product, form, message):
    response = login("admin").post("/admin/jlis/outage", data=form)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with product.session_factory() as session:
        assert jlis.state_of(session).mode == "normal"


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_admins_switch_the_outage(login, product, role):
    assert login(role).post("/admin/jlis/outage", data={"mode": "down"}).status_code == 403
    with product.session_factory() as session:
        assert jlis.state_of(session).mode == "normal"


def test_the_outage_form_needs_its_csrf_token(database_url, tmp_path_factory, app, product):
    strict = make_test_app(database_url, tmp_path_factory, WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "admin", "password": TEST_PASSWORD, "csrf_token": token.group(1)})
    assert client.post("/admin/jlis/outage", data={"mode": "down"}).status_code == 400
    with product.session_factory() as session:
        assert jlis.state_of(session).mode == "normal"
    page = client.get("/admin/jlis").get_data(as_text=True)
    form = re.search(r'action="/admin/jlis/outage">\s*<input[^>]*name="csrf_token" value="([^"]+)"', page)
    assert form, "the outage form carries its token"
    switched = client.post("/admin/jlis/outage", data={"mode": "down", "csrf_token": form.group(1)})
    assert switched.status_code == 302
    assert client.post("/admin/jlis/outage", data={"mode": "normal", "csrf_token": form.group(1)}).status_code == 302


def test_the_clerk_completing_the_card_task_is_told_why_it_stopped(product, driver, login, jlis_mode):
    serial = valid_certificate(product)
    outcome = to_card_task(driver)
    assert jlis_mode("down").status_code == 302
    task_id = outcome.next_task_id or driver.open_task(outcome.instance_id)
    backyard = login("backyard")
    response = backyard.post(f"/tasks/{task_id}", data={"card_kind": "mynumber_card", "mynumber_cert_serial": serial},
                             follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "自動処理でエラーが発生しました" in html and JLIS_DOWN in html and "再実行してください" in html
