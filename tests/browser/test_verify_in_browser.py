"""/verify on a phone (issue 15 point 7): the certificate's printed QR code, decoded as a phone's camera would, opens
the public check at 390 px wide; the answer fits the screen and names no error codes."""

from __future__ import annotations

import pytest

from handlers.environment import DEFAULT_VERIFY_URL, Operator
from handlers.services.certificates import issue_certificate
from handlers.services.settings import MAX_CHARS, save_settings
from tests.browser.test_registration_in_browser import log_in
from tests.printing_ui.conftest import registration_id_of
from tests.support.certificates import ensure_office_seal
from tests.support.qr import PDFTOPPM, scan_qr

pytestmark = [pytest.mark.browser, pytest.mark.skipif(PDFTOPPM is None, reason="poppler-utils not installed")]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
ADMIN = Operator("admin", "admin")


def set_verify_url(product, url: str) -> None:
    with product.session_factory.begin() as session:
        current = product.services.office(session)
        texts = {key: current.values()[key] for key in MAX_CHARS} | {"verify_url": url}
        save_settings(session, product.services, texts, show_sex=current.show_sex, seal_png=None, actor=ADMIN)


@pytest.fixture
def verify_here(product, live_server):
    """The settings' 証明書確認ページのURL points at the live server's /verify (the default comes back after)."""
    ensure_office_seal(product)
    set_verify_url(product, f"{live_server}/verify")
    yield f"{live_server}/verify"
    set_verify_url(product, DEFAULT_VERIFY_URL)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_phone_opens_the_printed_qr_and_sees_a_genuine_certificate(browser, product, driver, verify_here,
                                                                     tmp_path):
    registered = driver.register()
    with product.session_factory.begin() as session:
        issued = issue_certificate(session, product.services,
                                   registration_id_of(product, registered.registration_number), channel="counter",
                                   actor=Operator("madoguchi", "madoguchi"))
    scanned = scan_qr(issued.pdf, tmp_path)
    assert scanned.startswith(f"{verify_here}?p=v1.")
    context = browser.new_context(locale="ja-JP", **PHONE)
    page = context.new_page()
    page.goto(scanned)
    result = page.locator(".verify-result")
    assert "この証明書は見本市が発行したものです" in result.inner_text()
    assert issued.serial in result.inner_text() and "有効（登録中）" in result.inner_text()
    assert result.bounding_box()["y"] < 844  # the answer is on the first screen, not under the form
    assert fits_the_screen(page)
    page.screenshot(path=str(tmp_path / "verify_phone_genuine.png"), full_page=True)

    page.goto(scanned[:-3] + ("AAA" if not scanned.endswith("AAA") else "BBB"))  # a tampered signature
    refusal = page.locator(".verify-result").inner_text()
    assert "この証明書は確認できません" in refusal and "署名が一致しません" in refusal
    assert "コード:" not in page.locator("main").inner_text() and "signature_invalid" not in page.content()
    assert fits_the_screen(page)
    page.screenshot(path=str(tmp_path / "verify_phone_refused.png"), full_page=True)
    context.close()


def test_the_admin_sets_the_verify_url_on_the_settings_page(new_page, live_server, product, verify_here, tmp_path):
    page = new_page()
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/settings")
    field = page.locator("#f-verify-url")
    assert field.input_value() == verify_here
    assert "このコンピュータの中でしか開けません" in page.locator("main").inner_text()  # a phone cannot open 127.0.0.1
    field.fill("http://inkan.example.jp/verify")
    page.locator("form.settings-form button[type=submit]").click()
    error = page.locator(".field.has-error .form-error").inner_text()
    assert "公開する確認ページのURLは https:// で始めてください" in error
    page.screenshot(path=str(tmp_path / "settings_refused.png"), full_page=True)
    page.locator("#f-verify-url").fill("https://inkan.example.jp/verify")
    page.locator("form.settings-form button[type=submit]").click()
    main = page.locator("main").inner_text()
    assert "市区町村設定を保存しました" in main and "いま証明書に印字するURL: https://inkan.example.jp/verify" in main
    assert "このコンピュータの中でしか開けません" not in main
    page.screenshot(path=str(tmp_path / "settings_saved.png"), full_page=True)
