"""4.4.1.1 廃止の申請 in a real browser: the counter sees the registration found, checks identity, collects the
card, and the record is abolished; the instance's diagram renders without warnings (docs/flows/ screenshots)."""

from __future__ import annotations

import pytest

from registry.seals import records
from registry.seals.models import RecordStatus
from tests.browser.test_inquiry_in_browser import past_purpose
from tests.browser.test_registration_in_browser import log_in, submit_task
from tests.support.diagram import import_warnings, screenshot_whole_diagram
from tests.support.flow import COUNTER

pytestmark = pytest.mark.browser


def test_the_counter_abolishes_a_registration_and_the_diagram_shows_the_path(browser, live_server, product, driver, docs_shot):
    person = driver.registered_person()
    outcome = driver.runner.start("haishi", COUNTER, {"resident_id": person.resident_id})
    outcome = driver.step(outcome, COUNTER, {"request_kind": "return", "resident_id": person.resident_id,
                                             "card_number": person.registration_number})
    context = browser.new_context(locale="ja-JP", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if m.type in ("warning", "error") else None)
    log_in(page, live_server, "madoguchi")
    page.goto(f"{live_server}/tasks/{driver.open_task(outcome.instance_id)}")
    past_purpose(page)
    panel = page.locator(".panel-haishi-registration")
    assert person.registration_number in panel.inner_text() and "登録" in panel.inner_text()
    page.locator("input[name=applicant][value=self]").check()
    page.select_option("select[name=identity_document]", "mynumber_card")
    page.locator("input[name=identity_checked]").check()
    page.locator("input[name=card_collected]").check()
    page.screenshot(path=docs_shot("flows/4.4.1-haishi-identity-task.png"), full_page=True)
    submit_task(page)
    with product.session_factory() as session:
        record = records.registration_by_number(session, person.registration_number)
        assert (record.status, record.close_reason) == (RecordStatus.ABOLISHED, "廃止の申請")

    page.goto(f"{live_server}/instances/{outcome.instance_id}")
    past_purpose(page)
    page.wait_for_selector("#diagram[data-ready=true]")
    assert page.locator("#diagram .djs-element[data-element-id=end_abolished]").count() == 1
    screenshot_whole_diagram(page, docs_shot("flows/4.4.1-haishi.png"), 2180)
    warnings = import_warnings(page)
    context.close()
    assert warnings == [] and not [m for m in messages if "bpmn" in m.lower()], (warnings, messages)
