"""2.2.1 印影照合 in a real browser: a comparison between the thresholds is 要確認, and the clerk records 別
with a reason on the page; the decision is audited."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlalchemy import select

import imaging
from engine.models import AuditEvent
from tests.browser.test_inquiry_in_browser import past_purpose
from tests.browser.test_registration_in_browser import log_in

pytestmark = pytest.mark.browser


def test_a_clerk_decides_an_unsure_comparison_on_the_page(new_page, live_server, product, driver, monkeypatch,
                                                         tmp_path):
    person = driver.register(seal_text="照合")
    # every score lands between the thresholds: the page must ask the clerk
    monkeypatch.setattr(product.services, "settings",
                        replace(product.services.settings, similarity_same=1.0, similarity_different=0.0))
    scan = tmp_path / "document.png"
    scan.write_bytes(imaging.make_seal_scan("照合", dpi=300, seed=5, rotation_deg=15.0, on_form=True))
    page = new_page()
    log_in(page, live_server, "backyard")
    page.goto(f"{live_server}/residents/{person.resident_id}")
    past_purpose(page)
    page.locator("summary.collate-summary").click()
    page.set_input_files(f"#collate-scan-{person.registration_number}", str(scan))
    with page.expect_navigation():
        page.locator("form.collate-form button").click()
    assert page.locator("[data-verdict=unsure]").inner_text() == "要確認（職員が判断）"
    assert page.locator(".collate-overlay img").count() == 1

    page.screenshot(path=str(tmp_path / "collate-unsure-form.png"), full_page=True)
    page.locator("input[name=decision][value=different]").check()
    page.fill("#decision-reason", "重ね合わせで外枠の径が一致しない")
    with page.expect_navigation():
        page.locator("form.collate-decision-form button").click()
    assert "職員の判断「別」を記録しました" in page.locator("[data-decision=different]").inner_text()
    page.screenshot(path=str(tmp_path / "collate-unsure.png"), full_page=True)
    with product.session_factory() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.kind == "collate_decision")
                                .order_by(AuditEvent.id.desc())).first()
    summary = json.loads(event.summary_json)
    assert (event.actor, summary["decision"], summary["reason"]) == ("backyard", "different",
                                                                      "重ね合わせで外枠の径が一致しない")
    assert summary["registration_number"] == person.registration_number
