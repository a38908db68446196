"""4.3.1 職権修正 in a real browser: the バックヤード clerk sees before / after side by side and approves; the
instance's diagram renders without warnings (the screenshots in docs/flows/ come from here)."""

from __future__ import annotations

import pytest

from registry.seals import records
from tests.browser.test_inquiry_in_browser import past_purpose
from tests.browser.test_registration_in_browser import log_in, log_out
from tests.support.flow import COUNTER

pytestmark = pytest.mark.browser
NEW_ADDRESS = "見本市本町九丁目9番9号"
IMPORT_WARNINGS = """async () => {
    const xml = await (await fetch(document.getElementById('diagram').dataset.xmlUrl)).text();
    const box = document.createElement('div'); document.body.appendChild(box);
    const result = await new window.BpmnJS({container: box}).importXML(xml);
    return result.warnings.map(w => w.message); }"""


def test_the_second_clerk_approves_the_correction_seen_side_by_side(new_page, live_server, product, driver, docs_shot):
    person = driver.registered_person()
    outcome = driver.runner.start("shokken_shusei", COUNTER, {})
    outcome = driver.step(outcome, COUNTER, {"resident_id": person.resident_id})
    page = new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if m.type in ("warning", "error") else None)
    log_in(page, live_server, "madoguchi")
    page.goto(f"{live_server}/tasks/{outcome.next_task_id}")
    past_purpose(page)
    assert person.registration_number in page.locator(".panel-shusei-target").inner_text()
    page.locator("input[name=correction_reason][value=office]").check()
    page.fill("textarea[name=reason_note]", "住民票の写しで住所の誤記を確認")
    page.fill("input[name=new_address]", NEW_ADDRESS)
    page.fill("input[name=new_common_name]", "見本 通称")
    page.screenshot(path=docs_shot("flows/4.3.1-shokken_shusei-entry.png"), full_page=True)
    with page.expect_navigation():
        page.click("form.task-form button[type=submit]")
    log_out(page)

    log_in(page, live_server, "backyard")
    page.goto(f"{live_server}/tasks/{driver.open_task(outcome.instance_id)}")
    past_purpose(page)
    panel = page.locator(".panel-shusei-change").inner_text()
    assert NEW_ADDRESS in panel and "職権" in panel and "madoguchi" in panel
    page.screenshot(path=docs_shot("flows/4.3.1-shokken_shusei-approval.png"), full_page=True)

    page.locator("input[name=approval_decision][value=approve]").check()
    with page.expect_navigation():
        page.click("form.task-form button[type=submit]")
    with product.session_factory() as session:
        assert records.registration_by_number(session, person.registration_number).address == NEW_ADDRESS

    page.goto(f"{live_server}/instances/{outcome.instance_id}")
    past_purpose(page)
    page.wait_for_selector("#diagram[data-ready=true]")
    assert page.locator("#diagram .djs-element[data-element-id=end_corrected]").count() == 1
    page.locator("#diagram").screenshot(path=docs_shot("flows/4.3.1-shokken_shusei.png"))
    warnings = page.evaluate(IMPORT_WARNINGS)
    assert warnings == [] and not [m for m in messages if "bpmn" in m.lower()], (warnings, messages)
