"""Issue 15 point 5 in a real browser: a download on a task page asked for before a 閲覧の目的 was chosen for that
person and case — the question comes, naming the case, and after answering the clerk is back on the task page and
the download starts; the same download again is not asked."""

from __future__ import annotations

import pytest

from tests.audit.test_purpose_returns import handover_task
from tests.browser.test_registration_in_browser import log_in

pytestmark = pytest.mark.browser


def test_the_purpose_prompt_returns_to_the_task_page_and_the_download_starts(new_page, live_server, product, driver,
                                                                               tmp_path):
    task_id = handover_task(driver, product)
    page = new_page()
    log_in(page, live_server, "madoguchi")
    page.goto(f"{live_server}/tasks/{task_id}")
    with page.expect_navigation():
        page.click("a:has-text('PDFをダウンロード')")
    assert "閲覧の目的" in page.locator("h1").inner_text()
    subject = page.locator(".purpose-subject").inner_text()
    assert "4.1.2 即時登録（事案 " in subject, "the form names the case (flow and 事案番号)"
    page.check("input[name=purpose][value=counter_application]")
    with page.expect_download() as download_info:
        page.click("form.purpose-form button")
    assert page.url == f"{live_server}/tasks/{task_id}", "back on the task page"
    assert download_info.value.path().read_bytes().startswith(b"%PDF")
    assert page.locator("input[name=handed_over]").count() == 1  # the task's form, ready to go on
    page.screenshot(path=str(tmp_path / "back-on-task.png"), full_page=True)

    with page.expect_download() as again:  # the same person in the same case: not asked a second time
        page.click("a:has-text('PDFをダウンロード')")
    assert again.value.path().read_bytes().startswith(b"%PDF")
    assert page.url == f"{live_server}/tasks/{task_id}"
