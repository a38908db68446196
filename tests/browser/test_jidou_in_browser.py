"""自動交付機 (issue 16.7) in a real browser: the simulated machine prints the certificate for the card and its PIN,
counts a wrong PIN, and the card locked after three misses is unlocked by a counter clerk with a reason."""

from __future__ import annotations

import pytest

from handlers import casework
from registry.seals import records
from tests.browser.test_inquiry_in_browser import past_purpose
from tests.browser.test_registration_in_browser import log_in, log_out
from tests.support.certificates import ensure_office_seal

pytestmark = pytest.mark.browser


def ask(page, base: str, card_number: str, pin: str) -> str:
    page.goto(f"{base}/jidou")
    page.fill("input[name=card_number]", card_number)
    page.fill("input[name=pin]", pin)
    with page.expect_navigation():
        page.locator("form[action$='/jidou'] button").click()
    return page.locator("main").inner_text()


def test_the_machine_prints_then_locks_and_a_clerk_unlocks(new_page, live_server, product, driver, docs_shot):
    ensure_office_seal(product)
    person = driver.registered_person()
    with product.session_factory.begin() as session:
        casework.set_pin_directly(session, product.services, person.resident_id)
        card_number = records.registration_by_number(session, person.registration_number).card_number
    page = new_page()
    log_in(page, live_server, "admin")
    assert "交付しました" in ask(page, live_server, card_number, casework.CASE_PIN)
    assert page.locator("iframe[title=印鑑登録証明書]").count() == 1
    assert page.locator("input[name=pin]").get_attribute("type") == "password"
    page.screenshot(path=docs_shot("jidou_kofuki/machine.png"), full_page=True)
    assert "あと2回でロック" in ask(page, live_server, card_number, "0000")
    ask(page, live_server, card_number, "0000")
    assert "3回誤った" in ask(page, live_server, card_number, "0000")
    assert "pin_locked" in ask(page, live_server, card_number, casework.CASE_PIN)
    log_out(page)

    log_in(page, live_server, "madoguchi")
    page.goto(f"{live_server}/jidou/locked")
    past_purpose(page)
    assert person.registration_number in page.locator("main").inner_text()
    row = page.locator("tr", has_text=person.registration_number)
    row.locator("input[name=reason]").fill("運転免許証で本人確認")
    with page.expect_navigation():
        row.locator("button").click()
    assert "ロックを解除しました" in page.locator("main").inner_text()
    assert person.registration_number not in page.locator("table").inner_text()
