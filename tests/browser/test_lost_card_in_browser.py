"""Issue 18 point 1 in a real browser, the whole sequence: a loss phoned in (4.4.1) stops issuance at once, the
6.2.1 form comes up pre-filled, the counter (6.1) and the コンビニ kiosk refuse while the 6.2.1 record is still
open, the person's page opens with the phone answers in its history, the visit in person (4.4.1.2) closes the
record, and the old card is refused at the counter and at the kiosk."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.test_certificate_in_browser import start
from tests.browser.test_inquiry_in_browser import past_purpose
from tests.browser.test_registration_in_browser import log_in, submit_task
from tests.support.certificates import ensure_office_seal
from tests.support.konbini import ALWAYS_OPEN, new_serial, register_with_card

pytestmark = pytest.mark.browser


@pytest.fixture
def kiosk_open(app, monkeypatch):
    for name, value in ALWAYS_OPEN.items():
        monkeypatch.setitem(app.config, name, value)


def request_by_mynumber_card(page, base: str, resident_id: str, serial: str) -> str:
    """6.1 at the counter with the My Number card: the refusal panel's text (the request is then closed)."""
    start(page, base, "shomeisho_kofu", resident_id)
    page.check("input[name=applicant][value=self]")
    page.check("input[name=card_kind][value=mynumber_card]")
    page.fill("input[name=mynumber_cert_serial]", serial)
    page.fill("input[name=copies]", "1")
    submit_task(page)
    refusal = page.locator(".panel-refusal").inner_text()
    page.check("input[name=refusal_action][value=close]")
    page.check("input[name=explained]")
    submit_task(page)
    return refusal


def ask_kiosk(page, base: str, serial: str) -> str:
    page.goto(f"{base}/kiosk")
    page.fill("input[name=serial]", serial)
    with page.expect_navigation():
        page.click("main button.btn-primary")
    return page.locator("main").inner_text()


@pytest.mark.usefixtures("kiosk_open")
def test_a_lost_card_stops_at_the_phone_call_and_the_visit_closes_the_record(new_page, live_server, product, driver,
                                                                             tmp_path):
    ensure_office_seal(product)
    serial = new_serial()
    record = register_with_card(driver, serial)
    today = product.services.today()
    with product.session_factory() as session:
        birth = product.juki(session).get_resident(record.resident_id).birth_date.isoformat()
    clerk, admin = new_page(), new_page()
    log_in(clerk, live_server, "madoguchi")
    log_in(admin, live_server, "admin")

    # 4.4.1: the loss is phoned in; the answers match the record
    start(clerk, live_server, "haishi", record.resident_id)
    clerk.check("input[name=request_kind][value=lost_phone]")
    clerk.check("input[name=lost_item][value=card]")
    submit_task(clerk)
    clerk.check("input[name=caller][value=family]")
    clerk.fill("input[name=caller_name]", "家族　花子")
    clerk.fill("input[name=callback_phone]", "090-1234-5678")
    clerk.fill("input[name=stated_birth_date]", birth)
    clerk.check("input[name=address_answered]")
    submit_task(clerk)

    # the 6.2.1 form comes up: issuance is already stopped, the form pre-filled from the report
    handover = clerk.locator(".panel-handover").inner_text()
    assert "交付停止済み" in handover and "生年月日・住所" in handover
    assert clerk.locator("input[name=channel][value=phone]").is_checked()
    assert clerk.locator("input[name=reason_kind][value=card_lost]").is_checked()
    assert clerk.locator("input[name=suspended_from]").input_value() == today.isoformat()
    assert clerk.locator("input[name=caller_name]").input_value() == "家族　花子"
    clerk.screenshot(path=str(tmp_path / "6.2.1-prefilled.png"), full_page=True)
    suspension_task = clerk.url

    # before anyone completes 6.2.1: the counter and the kiosk refuse
    assert "一時停止" in request_by_mynumber_card(clerk, live_server, record.resident_id, serial)
    kiosk = ask_kiosk(admin, live_server, serial)
    assert "交付できません" in kiosk and "issuance_suspended" in kiosk

    # the 6.2.1 record is completed (a later start cannot shorten the stop)
    clerk.goto(suspension_task)
    clerk.fill("input[name=suspended_from]", (today + timedelta(days=2)).isoformat())
    clerk.check("input[name=identity_answers][value=birth_date]")
    clerk.check("input[name=identity_answers][value=address]")
    submit_task(clerk)

    # the person's page opens, with the phone answers in the history
    clerk.goto(f"{live_server}/residents/{record.resident_id}")
    past_purpose(clerk)
    page_text = clerk.locator("main").inner_text()
    assert "交付停止中" in page_text and "本人確認の回答: なし → 生年月日・住所" in page_text
    clerk.screenshot(path=str(tmp_path / "2.2.1-suspended.png"), full_page=True)

    # 4.4.1.2 in person: the record is closed and its 4.4.1.3 sheet printed
    start(clerk, live_server, "haishi", record.resident_id)
    clerk.check("input[name=request_kind][value=lost]")
    clerk.check("input[name=lost_item][value=card]")
    submit_task(clerk)
    clerk.check("input[name=applicant][value=self]")
    clerk.select_option("select[name=identity_document]", "driving_licence")
    clerk.check("input[name=identity_checked]")
    submit_task(clerk)
    clerk.goto(f"{live_server}/residents/{record.resident_id}")
    page_text = clerk.locator("main").inner_text()
    assert "廃止（除票）" in page_text and "亡失: 印鑑登録証" in page_text and "（除票）確認票" in page_text

    # the old card: the counter offers no 6.1 for a closed record (says why), and the kiosk refuses
    clerk.goto(f"{live_server}/start?resident_id={record.resident_id}")
    past_purpose(clerk)
    assert clerk.locator("form[action$='/start/shomeisho_kofu']").count() == 0
    assert "開始できません（印鑑登録なし）" in clerk.locator("main").inner_text()
    kiosk = ask_kiosk(admin, live_server, serial)
    assert "交付できません" in kiosk and "registration_closed" in kiosk
    admin.screenshot(path=str(tmp_path / "kiosk-closed.png"), full_page=True)
