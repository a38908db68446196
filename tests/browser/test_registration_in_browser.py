"""4.1.2 即時登録 in a real browser: counter → back office → counter, then 2.2.1 and the 4.1.2.2 PDF."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

import imaging
from conftest import TEST_PASSWORD
from juki.models import SimResident

pytestmark = pytest.mark.browser


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{re.escape(base)}/(\?.*)?$"))


def log_out(page) -> None:
    page.click("form[action$='/logout'] button")
    page.wait_for_url(re.compile(r"/login"))


def submit_task(page) -> None:
    with page.expect_navigation():
        page.click("form.task-form button[type=submit]")
    assert page.locator(".form-error").count() == 0, page.locator(".form-error").inner_text()


def test_a_clerk_registers_a_seal_end_to_end(new_page, live_server, product, driver, tmp_path):
    resident_id = driver.fresh_resident()
    with product.session_factory() as session:
        resident = session.get(SimResident, resident_id)
        kana, name = resident.kana, resident.name
    scan = tmp_path / "scan.png"
    scan.write_bytes(imaging.make_seal_scan(name.split("　")[0][:2], size_mm=15.0, dpi=300))
    page = new_page()

    # 窓口: find the resident with 2.1.3 and start 4.1.2 from the result row
    log_in(page, live_server, "madoguchi")
    page.goto(f"{live_server}/residents")
    page.fill("input[name=kana]", kana.replace("　", ""))
    page.fill("input[name=resident_id]", resident_id)
    with page.expect_navigation():
        page.click("form.search-form button.btn-primary, main form button:has-text('検索')")
    row = page.locator("tr", has_text=resident_id)
    with page.expect_navigation():
        row.locator("button:has-text('即時登録を開始')").click()
    assert page.locator("input[name=resident_id]").input_value() == resident_id
    for item in ("application", "seal", "id_document"):
        page.check(f"input[name=received_items][value={item}]")
    submit_task(page)
    page.check("input[name=applicant][value=self]")
    page.check("input[name=identity_path][value=photo_id]")
    page.select_option("select[name=photo_id_kind]", "driving_licence") if page.locator(
        "select[name=photo_id_kind]").count() else page.check("input[name=photo_id_kind][value=driving_licence]")
    submit_task(page)
    log_out(page)

    # バックヤード: the case is in the inbox; scan, review, card
    log_in(page, live_server, "backyard")
    page.goto(f"{live_server}/?lane=バックヤード")
    inbox_row = page.locator("tr", has_text=name)
    assert inbox_row.count() >= 1
    with page.expect_navigation():
        inbox_row.first.locator("a:has-text('開く')").click()
    page.set_input_files("input[type=file]", str(scan))
    submit_task(page)
    assert "mm" in page.locator("body").inner_text()
    assert page.locator("img[src*='/residents/blobs/']").count() >= 1
    page.check("input[name=impression_decision][value=accept]")
    page.check("input[name=impression_name][value=full_name]")
    submit_task(page)
    page.check("input[name=card_kind][value=registration_card]")
    submit_task(page)
    log_out(page)

    # 窓口 hands the card over
    log_in(page, live_server, "madoguchi")
    page.goto(f"{live_server}/?lane=窓口")
    with page.expect_navigation():
        page.locator("tr", has_text=name).first.locator("a:has-text('開く')").click()
    page.check("input[name=handed_over]")
    submit_task(page)

    # 2.2.1: the registration with its number and impression; the confirmation PDF downloads
    page.goto(f"{live_server}/residents/{resident_id}")
    if "/audit/purpose" in page.url:  # the first view of a person's data in a session asks why (access log)
        page.check("input[name=purpose][value=counter_application]")
        with page.expect_navigation():
            page.click("form.purpose-form button")
    text = page.locator("main").inner_text()
    number = re.search(r"\b(\d{8})\b", text.split("登録番号", 1)[1]).group(1)
    assert page.locator("img[src*='/residents/blobs/']").count() >= 1
    with page.expect_download() as download_info:
        page.locator("a:has-text('PDF')").first.click()
    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert number in pdf_text and "印鑑登録原票確認票" in pdf_text
    page.screenshot(path=str(tmp_path / "inquiry.png"), full_page=True)
