"""住民記録連動 in a real browser: an admin records a 死亡 in the 住基シミュレータ, the worker processes it, and the
registration page shows the record as a 除票 with its 4.4.1.3 確認票."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.browser.test_inquiry_in_browser import past_purpose
from tests.browser.test_registration_in_browser import log_in, log_out
from tests.support.diagram import import_warnings, screenshot_whole_diagram
from tests.support.resident_events import instance_of, record_and_process
from tests.support.residents import fresh_foreign_resident

pytestmark = pytest.mark.browser


def choose_purpose_if_asked(page) -> None:
    """Personal data pages first ask for the purpose of viewing (logged for the auditors)."""
    if "/audit/purpose" in page.url:
        page.check("input[name=purpose][value=office_investigation]")
        page.click("button[name=choose]", no_wait_after=True)
        page.wait_for_url(lambda url: "/audit/purpose" not in url)


def test_death_recorded_in_the_simulator_closes_the_registration(new_page, live_server, product, driver):
    registered = driver.registered_person()
    page = new_page()

    # システム管理: record the death in the simulated register
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/juki?resident_id={registered.resident_id}")
    past_purpose(page)
    death_form = page.locator("form.sim-form", has=page.locator("input[name=kind][value=death]"))
    with page.expect_navigation():
        death_form.locator("button").click()
    assert "死亡を記録" in page.locator(".flash").first.inner_text()
    log_out(page)

    assert product.process_resident_events() >= 1  # the worker's round (other tests may have left events)

    # バックヤード: the registration page shows the 除票 and its confirmation sheet
    log_in(page, live_server, "backyard")
    page.goto(f"{live_server}/residents/{registered.resident_id}")
    choose_purpose_if_asked(page)
    card = page.locator("section.record", has_text=registered.registration_number)
    assert "除票" in card.inner_text() and "死亡" in card.inner_text()
    row = card.locator("table.doc-table tr", has_text="4.4.1.3 印鑑登録原票（除票）確認票")
    with page.expect_navigation():
        row.locator("a", has_text="表示").click()
    choose_purpose_if_asked(page)  # the sheet is the 4.2.2 case's: asked once for that case
    response = page.request.get(live_server + page.locator("iframe#doc-frame").get_attribute("src"))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "除票" in text and registered.registration_number in text and "死亡" in text

    # the 住民記録連動 page lists the event with the flow it started
    page.goto(f"{live_server}/rendou/?resident_id={registered.resident_id}")
    row = page.locator("tr", has_text=registered.resident_id).filter(has_text="死亡")
    assert "業務開始" in row.inner_text()


def test_a_katakana_name_change_shows_old_and_new_beside_the_impression(new_page, live_server, product, driver,
                                                                       tmp_path):
    """4.3.2 カタカナ表記の変更 (issue 16.8): the decision task shows the registered impression beside the old and the
    new カタカナ表記; the instance's diagram (with the 記載事項の修正 start event) imports without warnings."""
    registered = driver.register(fresh_foreign_resident(product))
    [event] = record_and_process(product, "change_katakana_name", registered.resident_id,
                                 katakana_name="アタラシイ　ヒョウキ")
    instance = instance_of(product, event)
    page = new_page()
    log_in(page, live_server, "backyard")
    page.goto(f"{live_server}/tasks/{driver.open_task(instance.id)}")
    choose_purpose_if_asked(page)
    panel = page.locator(".panel-name-check")
    assert "4.3.2 カタカナ表記の変更: 登録印影と変更前後のカタカナ表記" in panel.inner_text()
    assert "変更後のカタカナ表記" in panel.inner_text() and "アタラシイ　ヒョウキ" in panel.inner_text()
    assert panel.locator("img").count() == 1  # the registered impression at true size
    page.screenshot(path=str(tmp_path / "4.3.2-juki_rendou_shusei-name-decision.png"), full_page=True)
    page.goto(f"{live_server}/instances/{instance.id}")
    choose_purpose_if_asked(page)
    page.wait_for_selector("#diagram[data-ready=true]")
    assert page.locator("#diagram .djs-element[data-element-id=start_record_corrected]").count() == 1
    screenshot_whole_diagram(page, str(tmp_path / "4.3.2-juki_rendou_shusei.png"), 1800)
    assert import_warnings(page) == []
