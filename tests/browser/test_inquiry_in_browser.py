"""4.1.4 照会による登録 in a real browser: the application at the counter, the impression scanned as pending,
the 照会書兼回答書 printed in the batch (its PDF read back) and marked mailed on the print page, a day passing on the
product's clock, the answer with the reference number alone refused, then found by scanning the printed 照会番号,
the seal brought compared, the registration; the instance's diagram as the clerk sees it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

import imaging
from juki.models import SimResident
from registry.documents import queue
from registry.seals import records
from tests.browser.test_registration_in_browser import log_in, log_out, submit_task

pytestmark = pytest.mark.browser


def open_inbox_row(page, base: str, lane: str, name: str) -> None:
    page.goto(f"{base}/?lane={lane}")
    past_purpose(page)
    with page.expect_navigation():
        page.locator("tr", has_text=name).first.locator("a:has-text('開く')").click()


def scan_in_back_office(page, base: str, name: str, scan: Path) -> None:
    """Complete the counter's task, then as バックヤード open the case and upload the seal scan."""
    submit_task(page)
    log_out(page)
    log_in(page, base, "backyard")
    open_inbox_row(page, base, "バックヤード", name)
    page.set_input_files("input[type=file]", str(scan))
    submit_task(page)


def past_purpose(page) -> None:
    """Answer the 閲覧の目的 question when the product asks it before showing personal data."""
    if page.locator("h1", has_text="閲覧の目的").count():
        page.locator("input[type=radio]").first.check()
        with page.expect_navigation():
            page.locator("main button[type=submit], main button.btn-primary").first.click()


def answer_as_proxy(page, number: str) -> None:
    """Fill the 回答書 form: the number typed, 「申請に相違ない」, brought by a proxy with ID and 委任状."""
    page.fill("input[name=inquiry_number]", number)
    page.check("input[name=answer][value=applied]")
    page.check("input[name=bearer][value=proxy]")
    page.check("input[name=bearer_identity_checked]")
    page.check("input[name=power_of_attorney]")


def letter_of(pdf: bytes, number: str) -> str:
    """The text of the batch PDF's page that carries the 照会番号 `number`."""
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    return next(text for text in pages if number in text)


def test_an_inquiry_goes_from_application_to_registration(new_page, live_server, product, driver, tmp_path, clock):
    resident_id = driver.fresh_resident()
    with product.session_factory() as session:
        name = session.get(SimResident, resident_id).name
    scan = tmp_path / "seal.png"
    scan.write_bytes(imaging.make_seal_scan(name[:2], size_mm=15.0, dpi=300))
    page = new_page()

    # 窓口: start 4.1.4 for the resident and take the application
    log_in(page, live_server, "madoguchi")
    page.goto(f"{live_server}/start?resident_id={resident_id}")
    past_purpose(page)
    with page.expect_navigation():
        page.locator("form[action$='/start/shoukai_touroku'] button").click()
    with page.expect_navigation():  # 業務の開始の確認
        page.click("button:has-text('開始する')")
    assert page.locator("input[name=resident_id]").input_value() == resident_id
    page.check("input[name=applicant][value=proxy]")
    page.check("input[name=inquiry_reason][value=proxy]")
    page.check("input[name=received_items][value=application]")
    page.check("input[name=received_items][value=seal]")
    scan_in_back_office(page, live_server, name, scan)  # バックヤード: the pending impression
    page.check("input[name=impression_decision][value=accept]")
    page.check("input[name=impression_name][value=full_name]")
    submit_task(page)
    page.goto(f"{live_server}/print")  # the batch print of the letters
    page.select_option("select[name=document]", "inquiry_letter")
    with page.expect_navigation():
        page.click("form.batch-form button[type=submit]")
    page.locator("[data-batch-download]:not([hidden])").wait_for(timeout=60_000)
    href = page.get_attribute("[data-batch-download]", "href")
    pdf = page.request.get(f"{live_server}{href}").body()
    if not pdf.startswith(b"%PDF"):  # asked for the 閲覧の目的 first
        page.goto(f"{live_server}{href}".replace("download=1", ""))
        past_purpose(page)
        pdf = page.request.get(f"{live_server}{href}").body()
    with product.session_factory() as session:
        application = next(a for a in records.inquiries(session) if a.resident_id == resident_id)
        number, printed = records.inquiry_number(application.id), records.printed_inquiry_number(application)
        item_id = queue.letter_of_application(session, application.id).id
    assert printed.startswith(number + "-") and len(printed) == len(number) + 7
    letter = letter_of(pdf, printed)  # the letter carries the number with its random part
    assert "照会書" in letter and "回答書" in letter and "委任状" in letter

    # バックヤード: the letters go into the mail; the clerk records it on the print page
    page.goto(f"{live_server}/print")
    page.check(f"input[name=item_id][value='{item_id}']")
    with page.expect_navigation():
        page.click("form[data-mail-form] button[type=submit]")
    assert "郵送済みにしました" in page.locator("body").inner_text()
    assert page.locator(f"[data-unmailed-letter='{item_id}']").count() == 0
    log_out(page)
    clock.advance(days=1)  # the letter arrives; an answer counts from the day after the mailing

    # 窓口: someone types the number the pages show, without the letter's random part: refused
    log_in(page, live_server, "madoguchi")
    page.goto(f"{live_server}/inquiry?number={number}")
    assert "回答書の受付" in page.locator("h1").inner_text()
    assert number in page.locator("main").inner_text() and printed not in page.locator("main").inner_text()
    answer_as_proxy(page, number)
    submit_task(page)
    assert "照会番号が照会書の記載と一致しません" in page.locator("main").inner_text()
    page.check("input[name=explained]")
    submit_task(page)

    # 窓口: the proxy brings the 回答書; the QR reader types the printed number into the search field
    page.goto(f"{live_server}/inquiry")
    page.fill("input[name=number]", printed.replace("-", ""))
    with page.expect_navigation():
        page.press("input[name=number]", "Enter")
    assert "回答書の受付" in page.locator("h1").inner_text() and number in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "answer.png"), full_page=True)
    answer_as_proxy(page, printed)
    scan_in_back_office(page, live_server, name, scan)  # バックヤード: the seal brought, compared with the pending one
    assert "類似度" in page.locator("main").inner_text() and "一致" in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)
    page.check("input[name=seal_decision][value=match]")
    submit_task(page)
    page.check("input[name=card_kind][value=registration_card]")
    submit_task(page)
    log_out(page)

    # 窓口 hands the card over; the application is 登録済み and the record has its number
    log_in(page, live_server, "madoguchi")
    open_inbox_row(page, live_server, "窓口", name)
    page.check("input[name=handed_over]")
    submit_task(page)
    page.goto(f"{live_server}/inquiry?number={number}")
    past_purpose(page)  # the case page shows the person: asked once per case
    assert "登録済み" in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "case.png"), full_page=True)
    page.goto(f"{live_server}/residents/{resident_id}")
    past_purpose(page)
    assert re.search(r"\b\d{8}\b", page.locator("main").inner_text().split("登録番号", 1)[1])


def test_the_diagram_renders_without_warnings(browser, live_server, product, docs_shot):
    """bpmn-js imports 4.1.4 without warnings; the whole diagram is kept as docs/flows/4.1.4-shoukai_touroku.png."""
    from tests.support.inquiry_flow import InquiryDriver

    pending = InquiryDriver(product).to_answer()
    context = browser.new_context(locale="ja-JP", viewport={"width": 5100, "height": 1000})
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if m.type in ("warning", "error") else None)
    log_in(page, live_server, "auditor")
    page.goto(f"{live_server}/instances/{pending.instance_id}")
    past_purpose(page)
    page.locator("#diagram svg .djs-element[data-element-id=task_answer]").wait_for(state="attached")
    assert page.locator("#diagram .djs-element[data-element-id=timer_deadline]").count() == 1
    page.evaluate("""() => { const d = document.getElementById('diagram');
        Object.assign(d.style, {position: 'fixed', left: '0', top: '0', width: '5080px', height: '900px',
                                zIndex: 1000, background: '#fff'});
        window.dispatchEvent(new Event('resize')); document.querySelector('[data-diagram-fit]').click(); }""")
    page.wait_for_timeout(500)
    page.locator("#diagram").screenshot(path=docs_shot("flows/4.1.4-shoukai_touroku.png"))
    warnings = page.evaluate("""async () => {
        const xml = await (await fetch(document.getElementById('diagram').dataset.xmlUrl)).text();
        const box = document.createElement('div'); document.body.appendChild(box);
        const result = await new window.BpmnJS({container: box}).importXML(xml);
        return result.warnings.map(w => w.message); }""")
    context.close()
    assert warnings == [] and not [m for m in messages if "bpmn" in m.lower()], (warnings, messages)
