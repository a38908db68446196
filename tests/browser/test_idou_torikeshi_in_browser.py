"""4.5 異動の取消し in a real browser: the clerk picks the entry from the history panel, a second clerk approves
seeing now / after; the instance's diagram renders without warnings (the screenshots in docs/flows/ come from here)."""

from __future__ import annotations

from datetime import date

import pytest

from registry.seals import records
from registry.seals.abolition import abolish_record
from registry.seals.models import RecordStatus
from tests.browser.test_inquiry_in_browser import past_purpose
from tests.browser.test_registration_in_browser import log_in, log_out
from tests.support.diagram import import_warnings, screenshot_whole_diagram
from tests.support.flow import BACK, COUNTER

pytestmark = pytest.mark.browser


def test_a_cancelled_abolition_is_approved_by_a_second_clerk(new_page, live_server, product, driver, docs_shot):
    person = driver.registered_person()
    with product.session_factory.begin() as session:
        record = records.registration_by_number(session, person.registration_number)
        entry_id = abolish_record(session, record, reason="廃止の申請", effective=date(2026, 11, 2),
                                  operator="madoguchi", instance_id=None, card_collected=True).id
    outcome = driver.runner.start("idou_torikeshi", BACK, {})
    outcome = driver.step(outcome, COUNTER, {"registration_number": person.registration_number})  # 窓口: 2.1.3
    page = new_page()
    log_in(page, live_server, "backyard")
    page.goto(f"{live_server}/tasks/{driver.open_task(outcome.instance_id)}")
    past_purpose(page)
    history = page.locator(".panel-torikeshi-target").inner_text()
    assert "廃止（廃止の申請）" in history and str(entry_id) in history
    page.fill("input[name=entry_id]", str(entry_id))
    page.fill("textarea[name=cancel_reason]", "別人の廃止届を受理していた")
    page.screenshot(path=docs_shot("flows/4.5-idou_torikeshi-request.png"), full_page=True)
    with page.expect_navigation():
        page.click("form.task-form button[type=submit]")
    log_out(page)

    log_in(page, live_server, "manager")
    page.goto(f"{live_server}/tasks/{driver.open_task(outcome.instance_id)}")
    past_purpose(page)
    panel = page.locator(".panel-torikeshi-change").inner_text()
    assert "廃止" in panel and "登録" in panel and "backyard" in panel
    page.screenshot(path=docs_shot("flows/4.5-idou_torikeshi-approval.png"), full_page=True)
    page.locator("input[name=approval_decision][value=approve]").check()
    with page.expect_navigation():
        page.click("form.task-form button[type=submit]")
    with product.session_factory() as session:
        assert records.registration_by_number(session, person.registration_number).status == RecordStatus.REGISTERED

    page.goto(f"{live_server}/instances/{outcome.instance_id}")
    past_purpose(page)
    page.wait_for_selector("#diagram[data-ready=true]")
    assert page.locator("#diagram .djs-element[data-element-id=end_active]").count() == 1
    screenshot_whole_diagram(page, docs_shot("flows/4.5-idou_torikeshi.png"), 1500)
    assert import_warnings(page) == []
