"""/verify (public): a genuine QR payload is accepted, a tampered or unknown one refused, a closed record shown so;
the printed QR code is a link to /verify that a phone's camera opens (issue 15 point 7)."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

import lxml.html
import pytest

import printing
from handlers.environment import DEFAULT_VERIFY_URL, Operator
from handlers.services.certificates import CHECK_MESSAGES, issue_certificate
from tests.printing_ui.conftest import close_registration, registration_id_of
from tests.printing_ui.test_settings import FORM
from tests.support.qr import PDFTOPPM, scan_qr


@pytest.fixture
def certificate(product, driver, office_seal):
    """(registration number, issued certificate, its QR payload)."""
    registered = driver.registered_person()
    with product.session_factory.begin() as session:
        issued = issue_certificate(session, product.services, registration_id_of(product, registered.registration_number),
                                   channel="counter", actor=Operator("madoguchi", "madoguchi"))
    payload = printing.certificate_payload(issued.serial, issued.issued_at, registered.registration_number,
                                           product.services.certificate_key)
    return registered.registration_number, issued, payload


def name_of(product, number: str) -> str:
    from registry.seals import records

    with product.session_factory() as session:
        record = records.registration_by_number(session, number)
        return record.name, record.address


def test_a_genuine_certificate_is_confirmed_without_login(client, product, certificate):
    number, issued, payload = certificate
    html = client.get("/verify", query_string={"p": payload}).get_data(as_text=True)
    name, address = name_of(product, number)
    assert "この証明書は" in html and "が発行したものです" in html
    assert issued.serial in html and name in html and "有効（登録中）" in html
    assert address not in html and "blobs" not in html  # never the address, never the impression


def test_the_scanned_url_form_works_too(client, certificate):
    _, issued, payload = certificate
    html = client.get("/verify", query_string={"p": f"https://inkan.example.jp/verify?p={payload}"}).get_data(
        as_text=True)
    assert issued.serial in html and "確認できません" not in html


@pytest.mark.parametrize("tamper", [
    lambda p: p.replace("-0", "-9", 1),  # another serial, same signature
    lambda p: p[:-2] + ("AA" if not p.endswith("AA") else "BB"),  # another signature
    lambda p: p.rsplit(".", 1)[0] + ".",  # no signature
], ids=["serial", "signature", "unsigned"])
def test_a_tampered_payload_is_refused(client, certificate, tamper):
    _, issued, payload = certificate
    response = client.get("/verify", query_string={"p": tamper(payload)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "この証明書は確認できません" in html
    assert "署名が一致しません" in html or "形式が正しくありません" in html
    assert issued.serial not in html.split("この証明書は確認できません")[1].split("</section>")[0]


def test_a_signed_payload_without_an_issue_record_is_unknown(client, product, certificate):
    number, _, _ = certificate
    forged = printing.certificate_payload("2099-999999", datetime(2099, 1, 1, 9, 0), number,
                                          product.services.certificate_key)
    html = client.get("/verify", query_string={"p": forged}).get_data(as_text=True)
    assert "この証明書は確認できません" in html and "発行記録がありません" in html


def test_a_closed_registration_is_shown_as_no_longer_active(client, product, certificate):
    number, issued, payload = certificate
    close_registration(product, number, reason="廃止")
    html = client.get("/verify", query_string={"p": payload}).get_data(as_text=True)
    assert issued.serial in html and "現在は無効（廃止・抹消済み）" in html and "有効（登録中）" not in html


def test_json_answer(client, certificate):
    _, issued, payload = certificate
    body = client.get("/verify", query_string={"p": payload}, headers={"Accept": "application/json"}).get_json()
    assert body["genuine"] is True and body["serial"] == issued.serial and body["still_active"] is True
    assert set(body) == {"genuine", "reason", "message", "serial", "name", "issued_at", "still_active", "status"}
    bad = client.get("/verify", query_string={"p": "v1.x.y.z.w"}, headers={"Accept": "application/json"}).get_json()
    assert bad["genuine"] is False and bad["reason"] == "signature_invalid"


def test_the_empty_form(client):
    response = client.get("/verify")
    assert response.status_code == 200 and "QRコードの内容" in response.get_data(as_text=True)


def test_with_a_verify_url_the_qr_code_opens_the_check(client, product, driver, office_seal, monkeypatch):
    captured = {}
    real = printing.certificate

    def spy(request, *args, **kwargs):
        captured["qr"] = request.qr_payload
        return real(request, *args, **kwargs)

    monkeypatch.setattr(printing, "certificate", spy)
    monkeypatch.setattr(product.services, "verify_url", "https://inkan.example.jp/verify")
    registered = driver.registered_person()
    with product.session_factory.begin() as session:
        issued = issue_certificate(session, product.services,
                                   registration_id_of(product, registered.registration_number), channel="konbini",
                                   actor=Operator("konbini", "system"))
    assert captured["qr"].startswith("https://inkan.example.jp/verify?p=v1.")
    html = client.get("/verify", query_string={"p": captured["qr"]}).get_data(as_text=True)
    assert issued.serial in html and "有効（登録中）" in html


def issue(product, number: str, channel: str = "counter"):
    with product.session_factory.begin() as session:
        return issue_certificate(session, product.services, registration_id_of(product, number), channel=channel,
                                 actor=Operator("madoguchi", "madoguchi"))


@pytest.fixture
def verify_url_setting(login, office_seal):
    """set(url) saves the 証明書確認ページのURL as an admin would; the default comes back afterwards."""
    admin = login("admin")

    def _set(url: str) -> None:
        response = admin.post("/admin/settings", data=FORM | {"verify_url": url})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]

    yield _set
    _set(DEFAULT_VERIFY_URL)


def open_scanned(client, url: str):
    """GET the scanned URL with the test client, as the phone's browser would."""
    parts = urlsplit(url)
    return client.get(parts.path, query_string=parts.query)


@pytest.mark.skipif(PDFTOPPM is None, reason="poppler-utils not installed")
def test_the_printed_qr_opens_verify_from_the_settings_url_and_is_genuine(client, product, driver, verify_url_setting,
                                                                         tmp_path):
    verify_url_setting("https://inkan.example.jp/verify")
    registered = driver.register()
    issued = issue(product, registered.registration_number)
    scanned = scan_qr(issued.pdf, tmp_path)
    assert scanned.startswith("https://inkan.example.jp/verify?p=v1.")
    html = open_scanned(client, scanned).get_data(as_text=True)
    assert "が発行したものです" in html and issued.serial in html and "有効（登録中）" in html


@pytest.mark.skipif(PDFTOPPM is None, reason="poppler-utils not installed")
def test_by_default_the_qr_opens_this_products_verify(client, product, driver, verify_url_setting, tmp_path):
    verify_url_setting("")  # empty: the configured default
    registered = driver.register()
    issued = issue(product, registered.registration_number, channel="konbini")
    scanned = scan_qr(issued.pdf, tmp_path)
    assert scanned.startswith(f"{DEFAULT_VERIFY_URL}?p=v1.")
    html = open_scanned(client, scanned).get_data(as_text=True)
    assert issued.serial in html and "この証明書は確認できません" not in html


@pytest.mark.skipif(PDFTOPPM is None, reason="poppler-utils not installed")
def test_the_server_setting_overrides_the_settings_url(client, login, product, driver, verify_url_setting,
                                                       monkeypatch, tmp_path):
    verify_url_setting("https://inkan.example.jp/verify")
    monkeypatch.setattr(product.services, "verify_url", "https://verify.example.lg.jp/inkan/verify")
    registered = driver.register()
    scanned = scan_qr(issue(product, registered.registration_number).pdf, tmp_path)
    assert scanned.startswith("https://verify.example.lg.jp/inkan/verify?p=v1.")
    page = login("admin").get("/admin/settings").get_data(as_text=True)
    assert "サーバーの設定でこのURLが指定されているため" in page
    assert "https://verify.example.lg.jp/inkan/verify" in page


def visible_text(html: str) -> str:
    """What a reader sees on the page (tags, scripts and the typed-in text left out)."""
    tree = lxml.html.fromstring(html)
    for hidden in tree.xpath("//script | //style | //textarea | //head"):
        hidden.drop_tree()
    return tree.text_content()


def refused_payloads(product, number: str, issued) -> dict[str, str]:
    """A text that /verify refuses for each reason it knows."""
    key = product.services.certificate_key
    return {
        "empty": "   ",
        "malformed": "これは証明書ではありません",
        "signature_invalid": printing.certificate_payload(issued.serial, issued.issued_at, number, b"another-key"),
        "unknown_serial": printing.certificate_payload("2099-999999", issued.issued_at, number, key),
        "record_mismatch": printing.certificate_payload(issued.serial, issued.issued_at + timedelta(minutes=1),
                                                        number, key),
    }


def test_every_refusal_is_plain_japanese_without_codes(client, product, certificate):
    number, issued, _ = certificate
    payloads = refused_payloads(product, number, issued)
    assert set(payloads) == set(CHECK_MESSAGES) - {"ok"}  # every reason /verify can give
    for reason, payload in payloads.items():
        html = client.get("/verify", query_string={"p": payload}).get_data(as_text=True)
        assert CHECK_MESSAGES[reason] in html, reason
        text = visible_text(html)
        assert reason not in text and "コード:" not in text, reason  # no machine codes on the public page
        body = client.get("/verify", query_string={"p": payload}, headers={"Accept": "application/json"}).get_json()
        assert body["reason"] == reason and body["genuine"] is False  # the machine-readable answer keeps them


def test_the_help_text_says_what_the_qr_code_does(client):
    html = client.get("/verify").get_data(as_text=True)
    assert "スマートフォンのカメラで証明書右下のQRコードを読み取ると、この画面が確認結果付きで開きます" in html
    assert 'name="viewport"' in html  # laid out for a phone's width
