"""4.1.2 即時登録 as the instance page draws it: bpmn-js imports it without warnings, the 5.2.4 PIN step is on the
path a registration with a PIN took, and the whole diagram is kept as docs/flows/4.1.2-sokuji_touroku.png."""

from __future__ import annotations

import pytest

from tests.browser.test_inquiry_in_browser import past_purpose
from tests.browser.test_registration_in_browser import log_in
from tests.support.diagram import import_warnings, screenshot_whole_diagram
from tests.support.flow import BACK, COUNTER
from tests.support.pins import shows_pin

pytestmark = pytest.mark.browser


def test_the_4_1_2_diagram_with_the_pin_step(live_server, new_page, driver, docs_shot):
    outcome = driver.to_scan(driver.fresh_resident())
    outcome = driver.step(outcome, BACK, {"scan_blob_id": driver.scan("登録")})
    outcome = driver.step(outcome, BACK, {"impression_decision": "accept", "impression_name": "full_name"})
    outcome = driver.step(outcome, BACK, {"card_kind": "registration_card", "new_pin": "2468"})
    outcome = driver.step(outcome, COUNTER, {"handed_over": True})
    assert outcome.status == "completed"

    page = new_page()
    log_in(page, live_server, "madoguchi")
    page.goto(f"{live_server}/instances/{outcome.instance_id}")
    past_purpose(page)
    page.wait_for_selector("#diagram[data-ready=true]")
    for element in ("svc_set_pin", "gw_pin_given", "end_registered"):
        assert page.locator(f"#diagram .djs-element[data-element-id={element}]").count() == 1
    screenshot_whole_diagram(page, docs_shot("flows/4.1.2-sokuji_touroku.png"), 2400)
    assert import_warnings(page) == []
    assert not shows_pin(page.content(), "2468")
