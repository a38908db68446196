"""6.1 印鑑登録証明書の交付 at the counter in a real browser: the card number read, two copies, the fee, the
certificates listed and opened as PDFs; then 6.2.1 一時停止 taken by phone, and the next request refused with its
reason. The three diagrams (6.1, 6.2.1, 6.2.2) as bpmn-js draws them, without import warnings."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.browser.test_inquiry_in_browser import past_purpose
from tests.browser.test_registration_in_browser import log_in, submit_task
from tests.support.certificates import ensure_office_seal
from tests.support.certificates_flow import CounterDriver
from tests.support.diagram import import_warnings, screenshot_whole_diagram
from tests.support.flow import COUNTER

pytestmark = pytest.mark.browser


def start(page, base: str, process_id: str, resident_id: str) -> None:
    page.goto(f"{base}/start?resident_id={resident_id}")
    past_purpose(page)
    with page.expect_navigation():
        page.locator(f"form[action$='/start/{process_id}'] button").click()
    with page.expect_navigation():  # 業務の開始の確認
        page.click("button:has-text('開始する')")
    assert page.locator("input[name=resident_id]").input_value() == resident_id


def request_certificate(page, base: str, resident_id: str, number: str) -> None:
    start(page, base, "shomeisho_kofu", resident_id)
    page.check("input[name=applicant][value=self]")
    page.check("input[name=card_kind][value=registration_card]")
    page.fill("input[name=card_number]", number)  # a barcode reader types the number
    page.fill("input[name=copies]", "2")
    submit_task(page)


def test_a_certificate_is_issued_then_refused_after_a_phone_suspension(new_page, live_server, product, driver,
                                                                       tmp_path):
    ensure_office_seal(product)
    person = driver.registered_person()
    page = new_page()
    log_in(page, live_server, "madoguchi")

    # 6.1: two copies, 600 yen, both certificates listed and printable
    request_certificate(page, live_server, person.resident_id, person.registration_number)
    main = page.locator("main").inner_text()
    assert "交付可" in main and "600円" in main and person.registration_number in main
    page.check("input[name=fee_decision][value=paid]")
    submit_task(page)
    links = page.locator(".panel-confirmation a:has-text('PDFをダウンロード')")
    assert links.count() == 2
    page.screenshot(path=str(tmp_path / "certificates.png"), full_page=True)
    task_url, href = page.url, live_server + links.first.get_attribute("href")
    pdf = page.request.get(href).body()
    if not pdf.startswith(b"%PDF"):  # the first certificate viewed in this session asks the 閲覧の目的
        page.goto(href.replace("download=1", ""))
        past_purpose(page)
        pdf = page.request.get(href).body()
        page.goto(task_url)
    assert pdf.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "印鑑登録証明書" in text
    page.check("input[name=handed_over]")
    submit_task(page)

    # 6.2.1: the resident phones: the card is lost
    start(page, live_server, "ichiji_teishi", person.resident_id)
    page.check("input[name=channel][value=phone]")
    page.check("input[name=reason_kind][value=card_lost]")
    page.fill("input[name=suspended_from]", product.services.today().isoformat())
    page.fill("input[name=caller_name]", "本人")
    page.check("input[name=identity_answers][value=birth_date]")
    page.check("input[name=identity_answers][value=address]")
    submit_task(page)
    assert CounterDriver(product).record(person.resident_id).suspended_from == product.services.today()

    # 6.1 again: refused, the reason shown to the clerk, recorded without a certificate
    request_certificate(page, live_server, person.resident_id, person.registration_number)
    refusal = page.locator(".panel-refusal").inner_text()
    assert "交付不可" in refusal and "一時停止" in refusal
    page.screenshot(path=str(tmp_path / "refused.png"), full_page=True)
    page.check("input[name=refusal_action][value=close]")
    page.check("input[name=explained]")
    submit_task(page)


@pytest.mark.parametrize(("process_id", "png", "width"), [
    ("shomeisho_kofu", "6.1-shomeisho_kofu.png", 2100),
    ("ichiji_teishi", "6.2.1-ichiji_teishi.png", 1700),
    ("teishi_kaijo", "6.2.2-teishi_kaijo.png", 1700),
])
def test_the_diagrams_render_without_warnings(browser, live_server, product, driver, process_id, png, width, docs_shot):
    person = driver.registered_person()
    outcome = product.runner.start(process_id, COUNTER, {"resident_id": person.resident_id})
    context = browser.new_context(locale="ja-JP", viewport={"width": width + 40, "height": 900})
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if m.type in ("warning", "error") else None)
    log_in(page, live_server, "auditor")
    page.goto(f"{live_server}/instances/{outcome.instance_id}")
    past_purpose(page)
    page.locator("#diagram svg .djs-element[data-element-id=start_request], "
                 "#diagram svg .djs-element[data-element-id=start_lift]").first.wait_for(state="attached")
    screenshot_whole_diagram(page, docs_shot(f"flows/{png}"), width)
    warnings = import_warnings(page)
    context.close()
    assert warnings == [] and not [m for m in messages if "bpmn" in m.lower()], (warnings, messages)
