"""The added documents: 除票確認票, 照会書兼回答書, 印鑑登録証明書, 抹消通知書, 印鑑登録証."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

import printing
from printing import (
    Addressee,
    CertificateRequest,
    Closure,
    DeletionNotice,
    Inquiry,
    UnprintableCharacterError,
    certificate_payload,
    verify_certificate_payload,
)
from printing.qr import qr_matrix
from tests.printing.conftest import ISSUED_AT
from tests.printing.test_true_size import rasterize_first_page, solid_blob_size_mm

Pages = Callable[[bytes], list[str]]
KEY = b"test-key"
ADDRESSEE = Addressee("100-0002", "見本市中央三丁目4番5号\n見本マンション101号室", "髙﨑　花子")
SEAL = printing.demo_office_seal_png()


def assert_embedded_truetype(pdf: bytes) -> None:
    assert b"/FontFile2" in pdf
    assert b"/Type0" not in pdf and b"UniJIS" not in pdf
    assert re.search(rb"/Subtype /TrueType", pdf)


def make_request(factories: SimpleNamespace, **record_changes: object) -> CertificateRequest:
    record = factories.record(**record_changes)
    payload = certificate_payload("C2025-000001", ISSUED_AT, record.registration_number, KEY)
    return CertificateRequest(record, factories.seal(), "C2025-000001", ISSUED_AT, payload)


def make_inquiry(**changes: object) -> Inquiry:
    values: dict[str, object] = {
        "inquiry_number": "Q2025-000123",
        "application_kind": "印鑑登録申請",
        "applied_on": date(2025, 11, 20),
        "answer_deadline": date(2025, 12, 19),
        "applicant_name": "髙﨑　花子",
        "addressee": ADDRESSEE,
    }
    values.update(changes)
    return Inquiry(**values)  # type: ignore[arg-type]


# 除票確認票


def test_closed_record_sheet_shows_mark_reason_and_date(
    record: printing.RegistrationRecord,
    history: list,
    office: printing.Office,
    factories: SimpleNamespace,
    pdf_pages: Pages,
) -> None:
    pdf = printing.closed_record_sheet(
        record,
        history,
        factories.seal(),
        office,
        closure=Closure(date(2026, 4, 1), "転出による抹消"),
        issued_at=ISSUED_AT,
    )
    [text] = pdf_pages(pdf)
    for expected in (
        "除票",
        "印鑑登録原票（除票）確認票",
        "4.4.1.3",
        "除票年月日令和8年4月1日",
        "除票事由転出による抹消",
        "00012345",
        "髙﨑花子",
        "縦15.0mm×横15.0mm",
    ):
        assert expected in text
    assert_embedded_truetype(pdf)


def test_closed_record_sheet_refuses_unprintable_reason(
    record: printing.RegistrationRecord, office: printing.Office
) -> None:
    with pytest.raises(UnprintableCharacterError) as caught:
        printing.closed_record_sheet(
            record, [], None, office, closure=Closure(date(2026, 4, 1), "𠮷"), issued_at=ISSUED_AT
        )
    assert caught.value.field == "除票事由"


# 照会書兼回答書


def test_inquiry_letter_fields(office: printing.Office, pdf_pages: Pages) -> None:
    pdf = printing.inquiry_letter(make_inquiry(), office, issued_on=date(2025, 11, 21))
    [text] = pdf_pages(pdf)
    for expected in (
        "〒100-0002",
        "見本市中央三丁目4番5号",
        "見本マンション101号室",
        "髙﨑花子様",
        "令和7年11月21日",
        "申請の種類印鑑登録申請",
        "申請日令和7年11月20日",
        "回答期限令和7年12月19日まで",
        "回答書",
        "本人",
        "代理人",
        "委任状",
        "印",
        "きりとり線",
        "お問い合わせ先",
        "内線123",
    ):
        assert expected in text
    assert text.count("Q2025-000123") == 2
    assert_embedded_truetype(pdf)


def test_inquiry_address_sits_in_the_window(office: printing.Office) -> None:
    page = PdfReader(
        BytesIO(printing.inquiry_letter(make_inquiry(), office, issued_on=date(2025, 11, 21)))
    ).pages[0]
    found: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list, tm: list, font: object, size: float) -> None:
        if text.startswith("〒100-0002"):
            found["postcode"] = (tm[4] * 25.4 / 72, (float(page.mediabox.height) - tm[5]) * 25.4 / 72)

    page.extract_text(visitor_text=visit)
    left, from_top = found["postcode"]
    assert 20 <= left <= 25 and 15 <= from_top <= 22


def test_inquiry_qr_is_a_regular_qr_of_the_number() -> None:
    matrix = qr_matrix("Q2025-000123")
    assert len(matrix) == 21  # version 1, not a Micro QR


def test_inquiry_letter_refuses_unprintable_addressee(office: printing.Office) -> None:
    inquiry = make_inquiry(addressee=Addressee("100-0002", "見本市", "𠮷野　太郎"))
    with pytest.raises(UnprintableCharacterError) as caught:
        printing.inquiry_letter(inquiry, office, issued_on=date(2025, 11, 21))
    assert caught.value.char == "𠮷" and caught.value.field == "宛名"


# 印鑑登録証明書


def test_certificate_fields(office: printing.Office, factories: SimpleNamespace, pdf_pages: Pages) -> None:
    request = make_request(factories, common_name="高崎はな")
    pdf = printing.certificate(request, office, office_seal_png=SEAL)
    [text] = pdf_pages(pdf)
    for expected in (
        "印鑑登録証明書",
        "証明書番号C2025-000001",
        "登録番号00012345",
        "髙﨑花子",
        "旧氏佐藤",
        "通称高崎はな",
        "昭和64年1月7日",
        "性別女",
        "見本市中央三丁目4番5号",
        printing.ATTESTATION,
        "令和7年11月22日",
        "見本市長見本一郎",
        "見本市印鑑登録証明書見本市印鑑登録証明書",
    ):
        assert expected in text
    assert_embedded_truetype(pdf)
    assert len(pdf) <= 150 * 1024


def test_certificate_can_omit_sex(
    office: printing.Office, factories: SimpleNamespace, pdf_pages: Pages
) -> None:
    pdf = printing.certificate(make_request(factories), office, office_seal_png=SEAL, show_sex=False)
    assert "性別" not in pdf_pages(pdf)[0]


def test_certificate_embeds_impression_and_seal_as_1bit_stencils(
    office: printing.Office, factories: SimpleNamespace
) -> None:
    pdf = printing.certificate(make_request(factories), office, office_seal_png=SEAL)
    assert pdf.count(b"/ImageMask true") == 2
    assert b"/SMask" not in pdf and b"/DeviceRGB" not in pdf


def test_certificate_impression_is_true_size(
    office: printing.Office, factories: SimpleNamespace, tmp_path: Path
) -> None:
    impression = factories.disc(300, 360, 0.05)
    request = CertificateRequest(factories.record(), impression, "C1", ISSUED_AT, "payload")
    pdf = printing.certificate(request, office, office_seal_png=SEAL)
    width_mm, height_mm = solid_blob_size_mm(rasterize_first_page(pdf, tmp_path))
    assert width_mm == pytest.approx(impression.width_mm, abs=0.1)
    assert height_mm == pytest.approx(impression.height_mm, abs=0.1)


def test_certificate_refuses_unprintable_name(office: printing.Office, factories: SimpleNamespace) -> None:
    with pytest.raises(UnprintableCharacterError) as caught:
        printing.certificate(make_request(factories, name="𠮷野　太郎"), office, office_seal_png=SEAL)
    assert caught.value.char == "𠮷" and caught.value.field == "氏名"


def test_batch_shares_images_and_fonts(office: printing.Office, factories: SimpleNamespace) -> None:
    one = printing.certificate(make_request(factories), office, office_seal_png=SEAL)
    batch = printing.certificates_batch([make_request(factories)] * 5, office, office_seal_png=SEAL)
    assert len(PdfReader(BytesIO(batch)).pages) == 5
    assert batch.count(b"/ImageMask true") == 2 and batch.count(b"/FormType 1") == 1
    assert len(batch) < 2 * len(one)


def test_demo_office_seal_is_a_red_square_png() -> None:
    from PIL import Image

    image = Image.open(BytesIO(SEAL))
    assert image.size[0] == image.size[1] and image.mode == "RGBA"
    red, green, blue, alpha = image.getpixel((image.size[0] // 2, image.size[1] // 24 + 5))  # on the frame
    assert alpha == 255 and red > 150 and green < 80


# payload


def test_payload_roundtrip_and_tamper() -> None:
    payload = certificate_payload("C2025-000001", datetime(2025, 11, 22, 14, 5, 9), "00012345", KEY)
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", payload)
    assert verify_certificate_payload(payload, KEY) == {
        "serial": "C2025-000001",
        "issued_at": datetime(2025, 11, 22, 14, 5, 9),
        "registration_number": "00012345",
    }
    assert verify_certificate_payload(payload.replace("00012345", "00012346"), KEY) is None
    assert verify_certificate_payload(payload[:-1] + ("A" if payload[-1] != "A" else "B"), KEY) is None
    assert verify_certificate_payload(payload, b"other-key") is None
    assert verify_certificate_payload("garbage", KEY) is None


def test_payload_rejects_unsafe_serial() -> None:
    with pytest.raises(printing.PrintingError):
        certificate_payload("C/1", ISSUED_AT, "00012345", KEY)


# 抹消通知書


def test_deletion_notice_fields(office: printing.Office, pdf_pages: Pages) -> None:
    notice = DeletionNotice("00012345", "髙﨑　花子", date(2026, 4, 1), "住民基本台帳からの転出", ADDRESSEE)
    pdf = printing.deletion_notice(notice, office, issued_on=date(2026, 4, 2))
    [text] = pdf_pages(pdf)
    for expected in (
        "印鑑登録抹消通知書",
        "〒100-0002",
        "髙﨑花子様",
        "登録番号00012345",
        "抹消年月日令和8年4月1日",
        "抹消の理由住民基本台帳からの転出",
        "令和8年4月2日",
        "見本市長見本一郎",
        "お問い合わせ先",
        "0120-000-000",
    ):
        assert expected in text
    assert_embedded_truetype(pdf)


def test_deletion_notice_refuses_unprintable_reason(office: printing.Office) -> None:
    notice = DeletionNotice("00012345", "髙﨑　花子", date(2026, 4, 1), "転出\ue000", ADDRESSEE)
    with pytest.raises(UnprintableCharacterError) as caught:
        printing.deletion_notice(notice, office, issued_on=date(2026, 4, 2))
    assert caught.value.field == "抹消の理由"


# 印鑑登録証


def test_registration_card_size_and_fields(office: printing.Office, pdf_pages: Pages) -> None:
    pdf = printing.registration_card("00012345", office, issued_on=date(2025, 11, 22))
    box = PdfReader(BytesIO(pdf)).pages[0].mediabox
    assert float(box.width) * 25.4 / 72 == pytest.approx(85.60, abs=0.01)
    assert float(box.height) * 25.4 / 72 == pytest.approx(53.98, abs=0.01)
    [text] = pdf_pages(pdf)
    for expected in ("印鑑登録証", "見本市", "登録番号00012345", "本人識別欄", "令和7年11月22日"):
        assert expected in text
    assert_embedded_truetype(pdf)


def test_registration_card_refuses_a_number_a_barcode_cannot_carry(office: printing.Office) -> None:
    with pytest.raises(printing.PrintingError) as caught:
        printing.registration_card("登録1", office, issued_on=date(2025, 11, 22))
    assert caught.value.code == "invalid_registration_number"
