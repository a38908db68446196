"""Issue 15 point 5 in a real browser: a download on a task page asked for before the session's 閲覧の目的 — the
question comes, and after answering the clerk is back on the task page and the download starts."""

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
    page.check("input[name=purpose][value=counter_application]")
    with page.expect_download() as download_info:
        page.click("form.purpose-form button")
    assert page.url == f"{live_server}/tasks/{task_id}", "back on the task page"
    assert download_info.value.path().read_bytes().startswith(b"%PDF")
    assert page.locator("input[name=handed_over]").count() == 1  # the task's form, ready to go on
    page.screenshot(path=str(tmp_path / "back-on-task.png"), full_page=True)
