"""5.3 引換交付 / 5.2.4 暗証番号 in a real browser: the PIN task shows the wrong-entry count, the PIN field is on the
form, and the instance's diagram renders without warnings (the screenshots in docs/flows/ come from here)."""

from __future__ import annotations

import pytest

from tests.browser.test_inquiry_in_browser import past_purpose
from tests.browser.test_registration_in_browser import log_in
from tests.support.card_exchange import set_pin_directly
from tests.support.diagram import import_warnings, screenshot_whole_diagram
from tests.support.flow import COUNTER

pytestmark = pytest.mark.browser
REQUEST = {"identity_document": "driving_licence", "returned_card": "damaged"}


def test_pin_change_task_and_the_diagram(live_server, new_page, driver, product, docs_shot):
    registered = driver.registered_person()
    set_pin_directly(product, registered.resident_id)
    outcome = product.runner.start("hikikae_kofu", COUNTER, {})
    outcome = driver.step(outcome, COUNTER, {"resident_id": registered.resident_id} | REQUEST)
    outcome = driver.step(outcome, COUNTER, {"card_kind": "registration_card", "pin_action": "change"})
    outcome = driver.step(outcome, COUNTER, {"old_pin": "0000", "new_pin": "4321"})

    page = new_page()
    log_in(page, live_server, "madoguchi")
    page.goto(f"{live_server}/tasks/{driver.open_task(outcome.instance_id)}")
    past_purpose(page)
    panels = page.locator("main").inner_text()
    assert "あと2回でロック" in panels and registered.registration_number in panels
    assert page.locator("input[name=old_pin]").count() == 1
    page.screenshot(path=docs_shot("flows/5.3-hikikae_kofu-pin.png"), full_page=True)

    outcome = driver.step(outcome, COUNTER, {"old_pin": "1234", "new_pin": "4321"})
    driver.step(outcome, COUNTER, {"handed_over": True})
    page.goto(f"{live_server}/instances/{outcome.instance_id}")
    past_purpose(page)
    page.wait_for_selector("#diagram[data-ready=true]")
    assert page.locator("#diagram .djs-element[data-element-id=end_exchanged]").count() == 1
    screenshot_whole_diagram(page, docs_shot("flows/5.3-hikikae_kofu.png"), 1800)
    assert import_warnings(page) == []
