"""Issue 15 point 1 in a real browser: a too-small scan, read and shown before completion, then a good one in the
same 4.1.2 case, which ends registered (登録完了)."""

from __future__ import annotations

import re

import pytest

import imaging
from engine.models import ProcessInstance
from tests.browser.test_registration_in_browser import log_in, submit_task
from tests.support.flow import COUNTER

pytestmark = pytest.mark.browser


def test_a_too_small_scan_then_a_good_one_in_the_same_case_ends_registered(new_page, live_server, product, driver,
                                                                             tmp_path):
    resident_id = driver.fresh_resident()
    instance_id = driver.to_scan(resident_id).instance_id
    task_id = driver.open_task(instance_id)
    small, good = tmp_path / "small.png", tmp_path / "good.png"
    small.write_bytes(imaging.make_seal_scan("山本", size_mm=6.0, dpi=300))
    good.write_bytes(imaging.make_seal_scan("山本", size_mm=15.0, dpi=300))
    page = new_page()
    log_in(page, live_server, "backyard")
    page.goto(f"{live_server}/tasks/{task_id}")

    page.set_input_files("input[name=scan_blob_id__file]", str(small))
    with page.expect_navigation():
        page.click("button:has-text('読み取る')")
    reading = page.locator("[data-scan-reading]")
    assert "小さすぎる" in reading.inner_text() and re.search(r"\d\.\d mm 四方", reading.inner_text())
    assert reading.locator("img[src*='/residents/blobs/']").count() == 1  # the outline drawn on the scan
    assert page.locator("button:has-text('この印影で進む')").is_disabled()
    page.screenshot(path=str(tmp_path / "too-small.png"), full_page=True)

    page.set_input_files("input[name=scan_blob_id__file]", str(good))
    with page.expect_navigation():
        page.click("button:has-text('読み直す')")
    assert f"/tasks/{task_id}" in page.url, "still the same task"
    assert "大きさ適正" in reading.inner_text() and re.search(r"1[45]\.\d mm 四方", reading.inner_text())
    page.screenshot(path=str(tmp_path / "good.png"), full_page=True)
    with page.expect_navigation():
        page.click("button:has-text('この印影で進む')")

    page.check("input[name=impression_decision][value=accept]")
    page.check("input[name=impression_name][value=full_name]")
    submit_task(page)
    page.check("input[name=card_kind][value=registration_card]")
    submit_task(page)
    product.runner.complete(driver.open_task(instance_id), COUNTER, {"handed_over": True})  # 4.1.2 交付
    with product.session_factory() as session:
        instance = session.get(ProcessInstance, instance_id)
        assert instance.status == "completed" and instance.end_event == "end_registered"
    page.goto(f"{live_server}/instances/{instance_id}")
    if "/audit/purpose" in page.url:  # the first view of a person's data in a session asks why (access log)
        page.check("input[name=purpose][value=counter_application]")
        with page.expect_navigation():
            page.click("form.purpose-form button")
    assert "印影の読取" in page.locator("main").inner_text()  # both scans are in the case's history
