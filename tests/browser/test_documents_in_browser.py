"""A clerk previews the 4.1.2.2 sheet in the browser and reprints it (再発行) with a reason."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.browser.test_registration_in_browser import log_in

pytestmark = pytest.mark.browser


def pdf_text(data: bytes) -> str:
    return "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def choose_purpose_if_asked(page) -> None:
    """The first view of a person's data in a case (or outside one) in a session asks for the purpose (access log)."""
    if "/audit/purpose" in page.url:
        page.check("input[name=purpose][value=resident_inquiry]")
        with page.expect_navigation():
            page.click("button[name=choose]")


def test_a_clerk_previews_and_reprints_the_confirmation_sheet(new_page, live_server, driver):
    registered = driver.register()  # the 確認票 4.1.2 printed is under test
    page = new_page()
    log_in(page, live_server, "backyard")
    page.goto(f"{live_server}/residents/{registered.resident_id}")
    choose_purpose_if_asked(page)
    row = page.locator("table.doc-table tr", has_text="4.1.2.2 印鑑登録原票確認票").first
    with page.expect_navigation():
        row.locator("a:has-text('表示')").click()
    choose_purpose_if_asked(page)  # the sheet belongs to the person's 4.1.2 case: asked once for that case

    # the preview: the PDF in a frame, with print and download
    frame_src = page.locator("iframe#doc-frame").get_attribute("src")
    preview = page.request.get(f"{live_server}{frame_src}")
    assert preview.headers["content-type"] == "application/pdf"
    assert preview.headers["content-disposition"].startswith("inline")
    assert registered.registration_number in pdf_text(preview.body())
    assert page.locator("button:has-text('印刷')").is_visible()

    # 再発行 without a reason is refused in Japanese
    with page.expect_navigation():
        page.click("form.reprint-form button[type=submit]")
    assert "再発行するには理由を入力してください" in page.locator(".flash-error").inner_text()

    # with a reason: a new document, marked 再発行, the reason printed on it
    page.fill("#reprint-reason", "本人控えの汚損")
    with page.expect_navigation():
        page.click("form.reprint-form button[type=submit]")
    assert "再発行しました" in page.locator(".flashes").inner_text()
    assert page.locator("h1 .badge", has_text="再発行").is_visible()
    reprinted = page.request.get(f"{live_server}{page.locator('iframe#doc-frame').get_attribute('src')}")
    text = pdf_text(reprinted.body())
    assert "再発行" in text and "本人控えの汚損" in text
    assert re.search(r"/documents/\d+$", page.url)
