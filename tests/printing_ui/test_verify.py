"""/verify (public): a genuine QR payload is accepted, a tampered or unknown one refused, a closed record shown so."""

from __future__ import annotations

from datetime import datetime

import pytest

import printing
from handlers.certificates import issue_certificate
from handlers.services import Operator
from tests.printing_ui.conftest import close_registration, registration_id_of


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
    assert issued.serial not in html.split("この証明書は確認できません")[1]


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
