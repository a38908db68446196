"""6.1 印鑑登録証明書: the impression at true size, the attestation, office seal, anti-copy pattern and QR."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.documents import CertificateRequest, Office, RegistrationRecord
from printing.errors import PrintingError
from printing.fonts import FontNames, FontSet, check_printable, default_fonts, register_fonts
from printing.impression import impression_stencil
from printing.layout import ALERT, RULE, PageSetup, binary_streams, wareki_datetime
from printing.qr import draw_qr
from printing.security import draw_background, draw_microtext
from printing.sheet import draw_field_table, open_canvas
from printing.stencil import Stencil, draw_stencil, stencil_from_png
from printing.subsets import reserve_text
from printing.wareki import DATE_CHARS, to_wareki

FUNCTION_ID = "6.1"
TITLE = "印鑑登録証明書"
ATTESTATION = "この写しは、登録されている印影と相違ないことを証明します。"
_WIDTH, _HEIGHT = A4
_LEFT = 20 * mm
_BODY_WIDTH = _WIDTH - 2 * _LEFT
_IMPRESSION_BOX = 55 * mm
_SEAL_SIZE = 24 * mm
_QR_SIZE = 26 * mm
_HEADING = "印 鑑 登 録 証 明 書"
_QR_NOTE = ("真正性の確認：QRコードを読み取り", "確認ページで照合してください")
_LABELS = {"name": "氏　　名", "birth": "生年月日", "sex": "性　　別", "address": "住　　所"}
_IMPRESSION_LABEL = "印　影"
# Every Mincho character the layout itself prints (record values aside); see _reserve_fixed_text.
_MINCHO_FIXED = "".join(
    ("証明書番号　登録番号発行日時", _HEADING, ATTESTATION, *_QR_NOTE, TITLE, DATE_CHARS, "旧氏通称カタカナ表記男女")
)


def certificate(
    request: CertificateRequest,
    office: Office,
    *,
    office_seal_png: bytes,
    show_sex: bool = True,
    fonts: FontSet | None = None,
) -> bytes:
    """Render one 印鑑登録証明書 as PDF bytes.

    Raises UnprintableCharacterError for a text field without a glyph, PrintingError for a missing font,
    a date before Meiji, or an unreadable / oversized impression or office seal.
    """
    return certificates_batch(
        [request], office, office_seal_png=office_seal_png, show_sex=show_sex, fonts=fonts
    )


def certificates_batch(
    requests: Sequence[CertificateRequest],
    office: Office,
    *,
    office_seal_png: bytes,
    show_sex: bool = True,
    fonts: FontSet | None = None,
) -> bytes:
    """Render many certificates into one PDF (one page each; seal, background and fonts embedded once).

    Every request is checked before drawing; raises as ``certificate`` does, and PrintingError('empty_batch').
    """
    if not requests:
        raise PrintingError("empty_batch", "印刷する証明書がありません")
    fonts = fonts or default_fonts()
    for field, text in _office_texts(office):
        check_printable(text, field, fonts)
    for request in requests:
        for field, text in _record_texts(request):
            check_printable(text, field, fonts)
    names = register_fonts(fonts)
    seal = stencil_from_png(office_seal_png)
    buffer = BytesIO()
    first = requests[0]
    setup = PageSetup(
        title=TITLE,
        author=office.issuer,
        subject=f"{FUNCTION_ID} {TITLE}（{len(requests)}通、先頭 証明書番号 {first.serial}）",
        dated=max(request.issued_at for request in requests),
    )
    with binary_streams():
        canvas = open_canvas(buffer, setup, names)
        _reserve_fixed_text(canvas, names, office)
        for request in requests:
            _draw_certificate(canvas, names, request, office, seal, show_sex)
            canvas.showPage()
        canvas.save()
    return buffer.getvalue()


def _reserve_fixed_text(canvas: Canvas, names: FontNames, office: Office) -> None:
    """Put the layout's fixed text in the first font subsets, so they are built once per process.

    Only speed depends on this: a fixed character left out here lands in the record's subset.
    """
    office_text = f"{office.municipality}{office.mayor_title}{office.mayor_name}"
    reserve_text(canvas, names.mincho, _MINCHO_FIXED + office_text)
    reserve_text(canvas, names.gothic, _IMPRESSION_LABEL + "".join(_LABELS.values()))


def _office_texts(office: Office) -> Iterator[tuple[str, str]]:
    yield from (
        ("市区町村名", office.municipality),
        ("市長の職名", office.mayor_title),
        ("市長の氏名", office.mayor_name),
    )


def _record_texts(request: CertificateRequest) -> Iterator[tuple[str, str]]:
    """(field, text) of every request text the certificate draws."""
    record = request.record
    yield from (
        ("証明書番号", request.serial),
        ("登録番号", record.registration_number),
        ("氏名", record.name),
        ("性別", record.sex),
        ("住所", record.address),
        ("QRコードの内容", request.qr_payload),
    )
    yield from ((field, text) for field, text in _name_extras(record) if text)


def _draw_certificate(
    canvas: Canvas,
    names: FontNames,
    request: CertificateRequest,
    office: Office,
    seal: Stencil,
    show_sex: bool,
) -> None:
    """One certificate page, top to bottom."""
    draw_background(canvas, _LEFT, 60 * mm, _BODY_WIDTH, 190 * mm)
    canvas.setFont(names.mincho, 9)
    canvas.drawString(_LEFT, _HEIGHT - 15 * mm, f"証明書番号　{request.serial}")
    canvas.drawRightString(
        _WIDTH - _LEFT, _HEIGHT - 15 * mm, f"登録番号　{request.record.registration_number}"
    )
    canvas.setFont(names.mincho, 24)
    canvas.drawCentredString(_WIDTH / 2, _HEIGHT - 32 * mm, _HEADING)
    _draw_impression(canvas, names, request)
    rows = _person_rows(request.record, show_sex)
    bottom = draw_field_table(
        canvas, names, rows, _LEFT, _HEIGHT - 112 * mm, (30 * mm, _BODY_WIDTH - 30 * mm), 11 * mm, 11.5
    )
    _draw_attestation(canvas, names, request, office, seal, bottom - 12 * mm)
    draw_microtext(canvas, names.mincho, f"{office.municipality}{TITLE}", _LEFT, 52 * mm, _BODY_WIDTH)
    draw_qr(canvas, request.qr_payload, _WIDTH - _LEFT - _QR_SIZE, 18 * mm, _QR_SIZE)
    canvas.setFont(names.mincho, 7.5)
    for index, line in enumerate(_QR_NOTE):
        canvas.drawRightString(_WIDTH - _LEFT - _QR_SIZE - 2 * mm, (30 - 4 * index) * mm, line)
    draw_microtext(canvas, names.mincho, f"{office.municipality}{TITLE}", _LEFT, 15 * mm, _BODY_WIDTH)


def _draw_impression(canvas: Canvas, names: FontNames, request: CertificateRequest) -> None:
    """The 印影 box, centred, with the stencil drawn at exactly pixels × mm_per_px."""
    stencil = impression_stencil(request.impression)
    width_mm = stencil.width_px * request.impression.mm_per_px
    height_mm = stencil.height_px * request.impression.mm_per_px
    if width_mm * mm > _IMPRESSION_BOX - 2 * mm or height_mm * mm > _IMPRESSION_BOX - 2 * mm:
        raise PrintingError(
            "impression_too_large",
            f"印影画像（縦 {height_mm:.1f}mm × 横 {width_mm:.1f}mm）が印影欄に収まりません",
        )
    left = (_WIDTH - _IMPRESSION_BOX) / 2
    bottom = _HEIGHT - 100 * mm
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.8)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(left, bottom, _IMPRESSION_BOX, _IMPRESSION_BOX, stroke=1, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(names.gothic, 9)
    canvas.drawRightString(left - 3 * mm, bottom + _IMPRESSION_BOX - 9, _IMPRESSION_LABEL)
    x = left + (_IMPRESSION_BOX - width_mm * mm) / 2
    y = bottom + (_IMPRESSION_BOX - height_mm * mm) / 2
    draw_stencil(canvas, stencil, x, y, width_mm * mm, height_mm * mm)


def _name_extras(record: RegistrationRecord) -> tuple[tuple[str, str | None], ...]:
    """The names printed beside the 氏名: 旧氏 and 通称 where recorded, and the カタカナ表記 when the registered
    impression shows it (a foreign resident's seal in katakana: the certificate must name what the seal shows)."""
    katakana = record.katakana_name if record.impression_name == "katakana_name" else None
    return (("旧氏", record.old_surname), ("通称", record.common_name), ("カタカナ表記", katakana))


def _person_rows(record: RegistrationRecord, show_sex: bool) -> list[tuple[str, str]]:
    """氏名 (with 旧氏 / 通称 / the カタカナ表記 the impression shows), 生年月日, optional 性別, 住所."""
    name = record.name
    extras = [f"{label}　{value}" for label, value in _name_extras(record) if value]
    if extras:
        name += "\n" + "　".join(f"（{extra}）" for extra in extras)
    rows = [(_LABELS["name"], name), (_LABELS["birth"], to_wareki(record.birth_date))]
    if show_sex:
        rows.append((_LABELS["sex"], record.sex))
    rows.append((_LABELS["address"], record.address))
    return rows


def _draw_attestation(
    canvas: Canvas, names: FontNames, request: CertificateRequest, office: Office, seal: Stencil, top: float
) -> None:
    """The attestation sentence, issue date, the mayor's title and name, and the office seal over the name."""
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(names.mincho, 12)
    canvas.drawString(_LEFT + 6 * mm, top - 12, ATTESTATION)
    canvas.setFont(names.mincho, 11.5)
    canvas.drawString(_LEFT + 6 * mm, top - 12 * mm, to_wareki(request.issued_at.date()))
    signer = f"{office.mayor_title}　{office.mayor_name}"
    right = _WIDTH - _LEFT - 24 * mm
    canvas.setFont(names.mincho, 15)
    canvas.drawRightString(right, top - 26 * mm, signer)
    draw_stencil(
        canvas, seal, right - 3 * mm, top - 26 * mm - _SEAL_SIZE / 2 + 2 * mm, _SEAL_SIZE, _SEAL_SIZE
    )
    canvas.setFont(names.mincho, 7.5)
    canvas.setFillColor(ALERT)
    canvas.drawString(_LEFT + 6 * mm, top - 20 * mm, f"発行日時　{wareki_datetime(request.issued_at)}")
    canvas.setFillColorRGB(0, 0, 0)
