"""Issue 15.2 and 15.3 in a real browser: the lists show how cases ended (却下（理由）, 失効（理由）) instead of 完了;
a counter clerk opens a task (it becomes theirs), sees where the case stands on the progress strip, goes on with
完了して次へ to the case's next counter step, and is sent back to the inbox with the lane and step it went to."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from engine.db import utcnow
from juki import DEMO_RESIDENTS
from tests.browser.test_registration_in_browser import log_in, submit_task
from tests.support.flow import COUNTER, IDENTIFY
from tests.support.inquiry_flow import InquiryDriver

pytestmark = pytest.mark.browser


def _past_purpose_prompt(page) -> None:
    """The first view of a person's data asks why (閲覧の目的); answer it and go on to the page asked for."""
    if "/audit/purpose" in page.url:
        page.locator("input[name=purpose]").first.check()
        with page.expect_navigation():
            page.click("form.purpose-form button")


def test_the_lists_show_refused_and_lapsed_cases(new_page, live_server, product, driver, clock, tmp_path):
    child = DEMO_RESIDENTS["child_under_15"]
    refused = driver.start(child)
    refused = driver.step(refused, COUNTER, {"resident_id": child} | IDENTIFY)
    refused = driver.step(refused, COUNTER, {"explained": True})
    pending = InquiryDriver(product, clock).to_answer()
    product.runner.fire_due_timers(now=utcnow() + timedelta(days=31, hours=1), limit=1000)

    page = new_page()
    log_in(page, live_server, "madoguchi")
    page.goto(f"{live_server}/instances")
    page.select_option("select[name=outcome]", "lapsed")
    with page.expect_navigation():
        page.click("form.instance-search button.btn-primary")
    row = page.locator("#instance-results tbody tr", has=page.locator(f"a[href$='/instances/{pending.instance_id}']"))
    assert row.locator("[data-outcome=lapsed]").inner_text() == "失効（回答期限の経過）"
    assert "完了" not in page.locator("#instance-results tbody").inner_text()
    page.screenshot(path=str(tmp_path / "lapsed.png"), full_page=True)

    page.select_option("select[name=outcome]", "refused")
    with page.expect_navigation():
        page.click("form.instance-search button.btn-primary")
    row = page.locator("#instance-results tbody tr", has=page.locator(f"a[href$='/instances/{refused.instance_id}']"))
    assert re.fullmatch(r"却下（.+）", row.locator("[data-outcome=refused]").inner_text())
    assert page.locator("#instance-results [data-outcome]:not([data-outcome=refused])").count() == 0

    # the resident page lists the person's cases with their outcome too
    page.goto(f"{live_server}/residents/{pending.resident_id}")
    _past_purpose_prompt(page)
    assert page.locator("[data-outcome=lapsed]").first.inner_text() == "失効（回答期限の経過）"
    page.screenshot(path=str(tmp_path / "resident.png"), full_page=True)


def test_open_claims_the_strip_shows_the_way_and_complete_goes_on(new_page, live_server, product, driver, tmp_path):
    resident_id = driver.fresh_resident()
    started = driver.start(resident_id)
    driver.runner.unclaim(started.next_task_id, COUNTER)  # in the inbox, nobody's
    page = new_page()
    log_in(page, live_server, "madoguchi")
    page.goto(f"{live_server}/?lane=窓口&sort=created&order=desc")  # newest first: the case is on page 1
    row = page.locator(f"tr[data-task='{started.next_task_id}']")
    assert "未担当" in row.inner_text() and row.locator("text=担当する").count() == 0
    with page.expect_navigation():
        row.locator("a:has-text('開く')").click()
    _past_purpose_prompt(page)
    assert page.locator(".claim-bar").get_by_text("madoguchi").count() == 1  # opening made it theirs
    assert page.locator(".claim-bar button:has-text('担当を外す')").count() == 1
    here = page.locator(".progress-strip [aria-current=step]")
    assert here.get_attribute("data-step") == "task_identify"
    assert page.locator(".progress-strip [data-state=ahead]").count() >= 5

    page.fill("input[name=resident_id]", resident_id)
    for item in IDENTIFY["received_items"]:
        page.check(f"input[name=received_items][value={item}]")
    submit_task(page)
    # 完了して次へ: the next counter step of the same case is already this clerk's — no claim, straight there
    assert re.search(r"/tasks/\d+$", page.url)
    assert page.locator(".progress-strip [aria-current=step]").get_attribute("data-step") == "task_identity"
    assert page.locator(".progress-strip [data-step=task_identify][data-state=done]").count() == 1
    assert page.locator(".claim-bar").get_by_text("madoguchi").count() == 1
    page.screenshot(path=str(tmp_path / "task.png"), full_page=True)

    page.check("input[name=applicant][value=self]")
    page.check("input[name=identity_path][value=photo_id]")
    page.select_option("select[name=photo_id_kind]", "driving_licence") if page.locator(
        "select[name=photo_id_kind]").count() else page.check("input[name=photo_id_kind][value=driving_licence]")
    submit_task(page)
    # the next step is the back office's: back to the inbox, told where the case went
    assert re.search(r"/(\?.*)?$", page.url)
    assert "次は バックヤード の『印影読込 (4.1.5.1)』です" in page.locator("body").inner_text()
    page.screenshot(path=str(tmp_path / "inbox.png"), full_page=True)
