"""6.1 印鑑登録証明書 output under the per-process caches: right glyphs, readable QR, same bytes every time."""

from __future__ import annotations

import re
import struct
import unicodedata
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.ttfonts import TTFontFile

import printing
from printing import CertificateRequest, certificate_payload
from printing.fonts import DEFAULT_GOTHIC, DEFAULT_MINCHO
from tests.printing.conftest import ISSUED_AT
from tests.support.qr import PDFTOPPM, scan_qr

KEY = b"test-key"
SEAL = printing.demo_office_seal_png()
_FONT_FILES = {"IPAexMincho": DEFAULT_MINCHO, "IPAexGothic": DEFAULT_GOTHIC}
_BFCHAR = re.compile(rb"<([0-9A-F]{2})> <([0-9A-F]{4})>")


def request_for(factories: SimpleNamespace, serial: str, **record_changes: object) -> CertificateRequest:
    record = factories.record(**record_changes)
    payload = certificate_payload(serial, ISSUED_AT, record.registration_number, KEY)
    return CertificateRequest(
        record, factories.seal(), serial, ISSUED_AT, f"https://inkan.example.jp/verify?p={payload}"
    )


@lru_cache(maxsize=2)
def original_font(path: str) -> TTFontFile:
    return TTFontFile(path)


def original_glyph(font: TTFontFile, char: int) -> bytes:
    glyph = font.charToGlyph.get(char, 0)
    start = font.get_table_pos("glyf")[0]
    return font._ttf_data[start + font.glyphPos[glyph] : start + font.glyphPos[glyph + 1]]


def subset_glyphs(program: bytes) -> dict[int, bytes]:
    """Character code → glyph outline bytes of an embedded TrueType subset (format-6 cmap, as reportlab writes)."""
    tables = {}
    for index in range(struct.unpack(">H", program[4:6])[0]):
        tag, _, offset, length = struct.unpack(">4sLLL", program[12 + 16 * index : 28 + 16 * index])
        tables[tag] = program[offset : offset + length]
    cmap = tables[b"cmap"]
    subtable = struct.unpack(">L", cmap[8:12])[0]
    fmt, _, _, first, count = struct.unpack(">5H", cmap[subtable : subtable + 10])
    assert fmt == 6
    glyph_ids = struct.unpack(f">{count}H", cmap[subtable + 10 : subtable + 10 + 2 * count])
    long_loca = struct.unpack(">h", tables[b"head"][50:52])[0] == 1
    loca = tables[b"loca"]
    offsets = (
        struct.unpack(f">{len(loca) // 4}L", loca)
        if long_loca
        else [2 * value for value in struct.unpack(f">{len(loca) // 2}H", loca)]
    )
    glyf = tables[b"glyf"]
    return {first + code: glyf[offsets[glyph] : offsets[glyph + 1]] for code, glyph in enumerate(glyph_ids)}


def assert_every_character_has_its_glyph(pdf: bytes) -> None:
    """Every code a subset maps to a character draws exactly that character's outline from the IPAex font."""
    fonts = PdfReader(BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    checked = 0
    for reference in fonts.values():
        font = reference.get_object()  # every font is an embedded IPAex subset (no Helvetica, issue 16)
        original = original_font(_FONT_FILES[str(font["/BaseFont"]).split("+")[1]])
        glyphs = subset_glyphs(font["/FontDescriptor"]["/FontFile2"].get_object().get_data())
        for code, char in (
            (int(code, 16), int(char, 16))
            for code, char in _BFCHAR.findall(font["/ToUnicode"].get_object().get_data())
        ):
            if unicodedata.category(chr(char)) == "Cc":
                continue  # an unused slot (U+0000) or reportlab's ASCII block filler (U+007F)
            assert original.charToGlyph.get(char), f"no glyph for {chr(char)!r}"
            expected, drawn = original_glyph(original, char), glyphs[code]
            if expected[:1] and struct.unpack(">h", expected[:2])[0] < 0:
                continue  # a composite glyph: its component numbers are renumbered in the subset
            assert drawn[: len(expected)] == expected and len(drawn) - len(expected) < 4, chr(char)
            checked += 1
    assert checked > 100


def test_certificates_of_different_people_draw_their_own_glyphs(
    office: printing.Office, factories: SimpleNamespace, pdf_pages
) -> None:
    first = printing.certificate(request_for(factories, "C1"), office, office_seal_png=SEAL)
    second = printing.certificate(
        request_for(factories, "C2", name="渡邊　剛", old_surname="鷗外", address="見本市北町二丁目8番"),
        office,
        office_seal_png=SEAL,
    )
    for pdf in (first, second):
        assert_every_character_has_its_glyph(pdf)
    assert "髙﨑花子" in pdf_pages(first)[0] and "渡邊" not in pdf_pages(first)[0]
    [text] = pdf_pages(second)
    assert "渡邊剛" in text and "旧氏鷗外" in text and "見本市北町二丁目8番" in text and "髙﨑" not in text
    assert printing.ATTESTATION in text and "印鑑登録証明書" in text and "住所" in text


def test_batch_draws_every_persons_glyphs(office: printing.Office, factories: SimpleNamespace) -> None:
    requests = [
        request_for(factories, "C1"),
        request_for(factories, "C2", name="渡邊　剛", old_surname=None, address="見本市北町二丁目8番"),
    ]
    assert_every_character_has_its_glyph(printing.certificates_batch(requests, office, office_seal_png=SEAL))


def test_certificate_bytes_do_not_depend_on_what_was_printed_before(
    office: printing.Office, factories: SimpleNamespace
) -> None:
    request = request_for(factories, "C1")
    before = printing.certificate(request, office, office_seal_png=SEAL)
    printing.certificate(
        request_for(factories, "C9", name="渡邊　剛"), office, office_seal_png=SEAL, show_sex=False
    )
    printing.certificates_batch(
        [request_for(factories, "C3", name="鈴木　一")] * 3, office, office_seal_png=SEAL
    )
    assert printing.certificate(request, office, office_seal_png=SEAL) == before


@pytest.mark.skipif(PDFTOPPM is None, reason="poppler-utils not installed")
def test_certificate_qr_scans_to_the_signed_payload(
    office: printing.Office, factories: SimpleNamespace, tmp_path: Path
) -> None:
    request = request_for(factories, "C2025-000001")
    decoded = scan_qr(printing.certificate(request, office, office_seal_png=SEAL), tmp_path)
    assert decoded == request.qr_payload
    signed = decoded.split("p=", 1)[1]
    assert printing.verify_certificate_payload(signed, KEY)["serial"] == "C2025-000001"
