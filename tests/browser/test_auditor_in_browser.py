"""An auditor follows one registration in a real browser: search → instance → timeline, diagram, printed
4.1.2.2 確認票 — and finds no button that changes anything. Screenshots go to docs/ui/."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_registration_in_browser import log_in

pytestmark = pytest.mark.browser

CHANGE_BUTTONS = ("一時停止", "再開", "強制終了", "担当変更", "再実行", "担当する", "担当を引き継ぐ", "完了する", "完了して次へ", "即時登録を開始")


def test_auditor_follows_a_registration_and_cannot_change_it(new_page, live_server, driver, product, docs_shot):
    registered = driver.register()
    driver.start(driver.fresh_resident())  # a running case, so an open task exists somewhere
    page = new_page()
    log_in(page, live_server, "auditor")

    # search by registration number → one row
    page.goto(f"{live_server}/instances")
    page.fill("input[name=number]", registered.registration_number)
    with page.expect_navigation():
        page.click("form.instance-search button.btn-primary")
    rows = page.locator("#instance-results tbody tr")
    assert rows.count() == 1 and registered.registration_number in rows.first.inner_text()

    # open it: the first view of a person's data asks for the purpose
    with page.expect_navigation():
        rows.first.locator("a.strong").click()
    assert "/audit/purpose" in page.url
    page.check("input[name=purpose][value=audit]")
    with page.expect_navigation():
        page.click("form.purpose-form button")
    assert re.search(rf"/instances/{registered.instance_id}$", page.url)

    # the diagram of the instance's own version, with the path marked
    page.wait_for_selector("#diagram[data-ready=true]")
    assert page.locator("#diagram .djs-element.done").count() >= 5
    # the timeline: who, lane, the step data and the neighbour call
    timeline = page.locator("ol.timeline")
    assert "開始" in timeline.inner_text() and "madoguchi" in timeline.inner_text()
    assert timeline.locator(".lane").count() >= 3
    assert timeline.locator("summary:has-text('この時点のタスクデータ')").count() >= 3
    assert "外部照会" in timeline.inner_text()
    assert page.locator("#history-entries").inner_text().count("登録") >= 1

    # the printed 4.1.2.2 確認票 is listed and opens as a PDF
    documents = page.locator("section.card", has_text="この事案で出力した帳票")
    assert "確認票" in documents.inner_text()
    pdf_href = documents.locator("a:has-text('ダウンロード')").first.get_attribute("href")
    response = page.request.get(f"{live_server}{pdf_href}")
    assert response.ok and response.body().startswith(b"%PDF")

    # nothing to change: no operation forms, no task buttons
    assert "閲覧のみ" in page.locator("#operations").inner_text()
    assert page.locator("main form[method=post]").count() == 0
    body = page.locator("main").inner_text()
    for label in CHANGE_BUTTONS:
        assert page.locator(f"main button:has-text('{label}')").count() == 0, label
    page.screenshot(path=docs_shot("ui/audit_instance_view.png"), full_page=True)
    assert registered.registration_number in body

    # the server refuses a forged operation too
    refused = page.request.post(f"{live_server}/instances/{registered.instance_id}/terminate",
                                form={"reason": "x"})
    assert refused.status == 403

    # the dashboard with its charts
    page.goto(f"{live_server}/audit/reports")
    assert page.locator("svg.chart-svg").count() == 2
    assert page.locator("a:has-text('CSV')").count() >= 6
    page.screenshot(path=docs_shot("ui/audit_dashboard.png"), full_page=True)
    page.goto(f"{live_server}/audit/chains")
    assert page.locator(".chain-card.chain-ok").count() == 3
