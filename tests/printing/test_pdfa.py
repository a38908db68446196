"""Issue 16 point 12: every document the printing package makes embeds every font it declares and is PDF/A-2b
(output intent, XMP metadata matching the document information, no encryption, JavaScript or LZW, file ID)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, FloatObject, NameObject, NumberObject

import printing
from printing import Addressee, CertificateRequest, Closure, DeletionNotice, Inquiry, certificate_payload
from printing.pdfa import ArchivalCanvas, pdf_date, srgb_profile, xmp_date
from tests.printing.conftest import (
    ISSUED_AT,
    disc_impression,
    make_history,
    make_office,
    make_record,
    png_bytes,
    seal_impression,
)
from tests.support.pdfa import PDFFONTS, assert_every_font_embedded, assert_pdfa_2b, parse_pdf_date

SEAL = printing.demo_office_seal_png()
ADDRESSEE = Addressee("100-0002", "見本市中央三丁目4番5号\n見本マンション101号室", "髙﨑　花子")
Render = Callable[[SimpleNamespace, printing.Office], bytes]


def certificate_request(factories: SimpleNamespace, serial: str = "C2025-000001", **changes: object):
    record = factories.record(**changes)
    payload = certificate_payload(serial, ISSUED_AT, record.registration_number, b"key")
    return CertificateRequest(record, factories.seal(), serial, ISSUED_AT, f"https://inkan.example.jp/verify?p={payload}")


def inquiry() -> Inquiry:
    return Inquiry("Q2025-000123", "印鑑登録申請", date(2025, 11, 20), date(2025, 12, 19), "髙﨑　花子", ADDRESSEE)


# Every document of the package, in its variants (reprint, no impression, many pages, no history, batches).
DOCUMENTS: dict[str, Render] = {
    "4.1.2.2 原票確認票": lambda f, office: printing.confirmation_sheet(
        f.record(), f.history(3), f.seal(), office, issued_at=ISSUED_AT),
    "4.1.2.2 原票確認票（再発行・印影なし・履歴なし）": lambda f, office: printing.confirmation_sheet(
        f.record(card_kind=None), [], None, office, issued_at=ISSUED_AT, reprint_reason="汚損のため"),
    "4.1.2.2 原票確認票（3ページ）": lambda f, office: printing.confirmation_sheet(
        f.record(), f.history(70), f.disc(), office, issued_at=ISSUED_AT),
    "4.4.1.3 除票確認票": lambda f, office: printing.closed_record_sheet(
        f.record(status="抹消"), f.history(2), f.seal(), office, closure=Closure(date(2026, 4, 1), "転出による抹消"),
        issued_at=ISSUED_AT),
    "4.1.4.2 照会書兼回答書": lambda f, office: printing.inquiry_letter(inquiry(), office, issued_on=date(2025, 11, 21)),
    "6.1 印鑑登録証明書": lambda f, office: printing.certificate(certificate_request(f), office, office_seal_png=SEAL),
    "6.1 印鑑登録証明書（性別なし）": lambda f, office: printing.certificate(
        certificate_request(f, name="渡邊　剛", old_surname=None), office, office_seal_png=SEAL, show_sex=False),
    "6.1 印鑑登録証明書（3通）": lambda f, office: printing.certificates_batch(
        [certificate_request(f, f"C2025-00000{n}", name=name) for n, name in enumerate(("髙﨑　花子", "渡邊　剛", "鈴木　一"))],
        office, office_seal_png=SEAL),
    "抹消通知書": lambda f, office: printing.deletion_notice(
        DeletionNotice("00012345", "髙﨑　花子", date(2026, 4, 1), "住民基本台帳からの転出", ADDRESSEE), office,
        issued_on=date(2026, 4, 2)),
    "5.2 印鑑登録証": lambda f, office: printing.registration_card("00012345", office, issued_on=date(2025, 11, 22)),
    "一括印刷（抹消通知書・照会書）": lambda f, office: printing.combined_document(
        [DOCUMENTS["抹消通知書"](f, office), DOCUMENTS["4.1.4.2 照会書兼回答書"](f, office)] * 2,
        title="一括印刷", author=office.issuer, subject="4件", dated=datetime(2026, 4, 2, 9, 0)),
}
# The public functions that make a PDF; a new one must be added to DOCUMENTS above.
RENDERERS = {"confirmation_sheet", "closed_record_sheet", "inquiry_letter", "certificate", "certificates_batch",
             "deletion_notice", "registration_card", "combined_document"}


@pytest.fixture(params=list(DOCUMENTS), scope="module")
def document(request) -> tuple[str, bytes]:
    """(name, PDF) of each document, rendered once for the checks below."""
    factories = SimpleNamespace(record=make_record, history=make_history, disc=disc_impression, seal=seal_impression,
                                png=png_bytes)
    return request.param, DOCUMENTS[request.param](factories, make_office())


def test_every_pdf_making_function_is_walked() -> None:
    making = {name for name in printing.__all__ if inspect.isfunction(getattr(printing, name))
              and inspect.signature(getattr(printing, name)).return_annotation == "bytes"}
    assert making - {"demo_office_seal_png"} == RENDERERS  # demo_office_seal_png makes a PNG
    walked = "".join(inspect.getsource(render) for render in DOCUMENTS.values())
    assert all(f"printing.{name}(" in walked for name in RENDERERS)


def test_every_document_is_pdfa_2b(document: tuple[str, bytes]) -> None:
    _, pdf = document
    assert assert_pdfa_2b(pdf) > 50  # glyphs shown, each checked against the embedded font program


@pytest.mark.skipif(PDFFONTS is None, reason="poppler-utils not installed")
def test_pdffonts_finds_no_unembedded_font(document: tuple[str, bytes], tmp_path: Path) -> None:
    _, pdf = document
    lines = assert_every_font_embedded(pdf, tmp_path)
    assert all("+IPAex" in line for line in lines), lines  # subsets of the IPAex fonts, and nothing else


def test_the_document_information_carries_the_issue_time(office: printing.Office, factories) -> None:
    certificate = PdfReader(BytesIO(DOCUMENTS["6.1 印鑑登録証明書"](factories, office))).metadata
    assert certificate["/CreationDate"] == certificate["/ModDate"] == "D:20251122140500+09'00'"
    assert certificate.title == "印鑑登録証明書" and certificate.author == "見本市 市民課"
    assert certificate.subject.startswith("6.1 印鑑登録証明書")
    card = PdfReader(BytesIO(DOCUMENTS["5.2 印鑑登録証"](factories, office))).metadata
    assert card["/CreationDate"] == "D:20251122"  # a card is dated, not timed


def test_a_batch_is_dated_by_its_last_certificate(office: printing.Office, factories) -> None:
    later = replace(certificate_request(factories, "C2"), issued_at=datetime(2025, 11, 22, 16, 30))
    pdf = printing.certificates_batch([certificate_request(factories), later], office, office_seal_png=SEAL)
    assert PdfReader(BytesIO(pdf)).metadata["/CreationDate"] == "D:20251122163000+09'00'"


@pytest.mark.parametrize(("when", "pdf", "xmp"), [
    (datetime(2025, 11, 22, 14, 5), "D:20251122140500+09'00'", "2025-11-22T14:05:00+09:00"),  # naive: JST
    (datetime(2025, 11, 22, 5, 5, tzinfo=UTC), "D:20251122050500+00'00'", "2025-11-22T05:05:00+00:00"),
    (date(2025, 11, 21), "D:20251121", "2025-11-21"),
])
def test_dates_in_info_and_xmp_say_the_same(when, pdf: str, xmp: str) -> None:
    assert pdf_date(when) == pdf and xmp_date(when) == xmp
    assert parse_pdf_date(pdf) == (datetime.fromisoformat(xmp) if "T" in xmp else date.fromisoformat(xmp))


def test_the_output_profile_is_srgb_and_the_same_in_every_process() -> None:
    profile = srgb_profile()
    assert profile[36:40] == b"acsp" and profile[12:20] == b"mntrRGB "
    assert profile[24:36] == bytes.fromhex("07e9 0001 0001 0000 0000 0000")  # pinned, not the time of creation


# The checks themselves: each refuses a file that breaks its requirement (a check that cannot fail proves nothing).


def _edited(pdf: bytes, edit: Callable[[PdfWriter], None]) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
    edit(writer)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _first_font(writer: PdfWriter):
    fonts = writer.pages[0]["/Resources"]["/Font"]
    return next(f.get_object() for f in fonts.values() if "IPAex" in f.get_object()["/BaseFont"])


def _set_xmp(writer: PdfWriter, old: bytes, new: bytes) -> None:
    stream = writer.root_object["/Metadata"].get_object()
    stream.set_data(stream.get_data().replace(old, new))


BREAKS = {
    "no XMP": (lambda w: w.root_object.pop("/Metadata"), "6.6.2.1"),
    "PDF/A-1 claimed": (lambda w: _set_xmp(w, b"<pdfaid:part>2<", b"<pdfaid:part>1<"), "6.6.4"),
    "XMP title differs": (lambda w: _set_xmp(w, "印鑑登録証明書</rdf:li>".encode(), "別の文書</rdf:li>".encode()),
                          "differs from Info /Title"),
    "no output intent": (lambda w: w.root_object.pop("/OutputIntents"), "6.2.3"),
    "JavaScript": (lambda w: w.root_object.__setitem__(NameObject("/OpenAction"), _js_action()), "JavaScript"),
    "LZW": (lambda w: _image(w).__setitem__(NameObject("/Filter"), NameObject("/LZWDecode")), "6.1.7"),
    "a wrong glyph width": (lambda w: _first_font(w).__setitem__(
        NameObject("/Widths"), ArrayObject([FloatObject(1)] * len(_first_font(w)["/Widths"]))), "6.2.11.5"),
    "an Encoding on a symbolic font": (lambda w: _first_font(w).__setitem__(
        NameObject("/Encoding"), NameObject("/WinAnsiEncoding")), "6.2.11.6"),
    "an interpolated image": (lambda w: _image(w).__setitem__(NameObject("/Interpolate"), NumberObject(1)), "6.2.8"),
}


def _js_action():
    from pypdf.generic import DictionaryObject, TextStringObject

    return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")})


def _image(writer: PdfWriter):
    forms = writer.pages[0]["/Resources"]["/XObject"]
    return next(x.get_object() for x in forms.values() if x.get_object()["/Subtype"] == "/Image")


@pytest.mark.parametrize("broken", list(BREAKS))
def test_each_check_refuses_a_file_that_breaks_it(office: printing.Office, factories, broken: str) -> None:
    pdf = DOCUMENTS["6.1 印鑑登録証明書"](factories, office)
    assert_pdfa_2b(_edited(pdf, lambda writer: None))  # the rewrite alone keeps it conforming
    edit, requirement = BREAKS[broken]
    with pytest.raises(AssertionError, match=requirement):
        assert_pdfa_2b(_edited(pdf, edit))


def test_reportlabs_default_font_fails_both_checks(tmp_path: Path) -> None:
    buffer = BytesIO()
    canvas = ArchivalCanvas(buffer, dated=date(2025, 11, 22))  # PDF/A in all but its font: Helvetica
    canvas.drawString(72, 72, "Helvetica")
    canvas.save()
    with pytest.raises(AssertionError, match="not embedded"):
        assert_pdfa_2b(buffer.getvalue())
    if PDFFONTS:
        with pytest.raises(AssertionError, match="not embedded"):
            assert_every_font_embedded(buffer.getvalue(), tmp_path)
