"""住基シミュレータ in a real browser: an admin finds a registered resident, records a 死亡, sees the event
received by the registry, and after the worker's round sees 4.2.2 started and the registration become a 除票
with its 確認票 (2.2.1)."""

from __future__ import annotations

import pytest

from tests.browser.test_inquiry_in_browser import past_purpose
from tests.browser.test_registration_in_browser import log_in

pytestmark = pytest.mark.browser


def test_an_admin_records_a_death_in_the_simulator(new_page, live_server, product, driver, docs_shot):
    registered = driver.registered_person(driver.fresh_resident())
    page = new_page()
    log_in(page, live_server, "admin")
    page.click("nav.mainnav a:has-text('シミュレータ')")
    page.fill("input[name=q]", registered.resident_id)
    with page.expect_navigation():
        page.click("form.sim-search button")
    with page.expect_navigation():
        page.locator("tr", has_text=registered.resident_id).locator("a:has-text('選択')").click()
    past_purpose(page)  # the person's 住民票 is about to be shown
    page.screenshot(path=docs_shot("ui/juki_simulator.png"), full_page=True)
    death = page.locator("form.sim-form", has=page.locator("input[name=kind][value=death]"))
    with page.expect_navigation():
        death.locator("button").click()
    assert "死亡を記録し、異動通知 1 件を印鑑登録システムへ送りました" in page.locator(".flashes").inner_text()
    row = page.locator("table tr", has_text=registered.resident_id).filter(has_text="死亡").first
    assert "処理待ち" in row.inner_text()
    assert "死亡" in page.locator(".card", has_text="住民ID").first.inner_text()

    assert product.process_resident_events() >= 1
    page.reload()
    row = page.locator("table tr", has_text=registered.resident_id).filter(has_text="死亡").first
    assert "業務開始" in row.inner_text()

    # 4.2.2 ran by itself: 2.2.1 shows the registration as a 除票, with its 確認票
    page.goto(f"{live_server}/residents/{registered.resident_id}")
    if "/audit/purpose" in page.url:  # the access log asks why the record is opened
        page.locator("input[name=purpose]").first.check()
        with page.expect_navigation():
            page.click("button[name=choose]")
    record = page.locator("section.record", has_text=registered.registration_number)
    assert "除票" in record.inner_text()
    assert "除票）確認票" in page.locator("main").inner_text()
