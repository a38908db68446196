"""印鑑登録証 (card): credit-card size, the registration number with a Code128 barcode, and a 本人識別欄."""

from __future__ import annotations

import re
from datetime import date

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.documents import Office
from printing.errors import PrintingError
from printing.fonts import FontSet, fonts_for
from printing.layout import RULE, PageSetup
from printing.sheet import finish_pdf, start_pdf
from printing.wareki import to_wareki

TITLE = "印鑑登録証"
CARD_SIZE = (85.60 * mm, 53.98 * mm)
_NUMBER = re.compile(r"[0-9A-Za-z-]{1,20}")


def registration_card(
    registration_number: str, office: Office, *, issued_on: date, fonts: FontSet | None = None
) -> bytes:
    """Render the 印鑑登録証 on one card-size page (85.60 × 53.98 mm) as PDF bytes.

    Raises PrintingError('invalid_registration_number') when the number is not 1–20 of [0-9A-Za-z-],
    UnprintableCharacterError for an office text without a glyph, PrintingError for a missing font.
    """
    if not _NUMBER.fullmatch(registration_number):
        raise PrintingError(
            "invalid_registration_number", f"登録番号の形式が正しくありません: {registration_number}"
        )
    fonts, names = fonts_for((("市区町村名", office.municipality), ("市長の職名", office.mayor_title)), fonts)
    setup = PageSetup(
        title=TITLE,
        author=office.municipality,
        subject=f"{TITLE}（登録番号 {registration_number}）",
        dated=issued_on,
    )
    canvas, buffer = start_pdf(setup, names, CARD_SIZE)
    width, height = CARD_SIZE
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.roundRect(1.5 * mm, 1.5 * mm, width - 3 * mm, height - 3 * mm, 2.5 * mm, stroke=1, fill=0)
    canvas.setFont(names.gothic, 13)
    canvas.drawString(5 * mm, height - 10 * mm, TITLE)
    canvas.setFont(names.mincho, 8)
    canvas.drawRightString(width - 5 * mm, height - 9.5 * mm, office.municipality)
    canvas.setFont(names.mincho, 7)
    canvas.drawString(5 * mm, height - 15.5 * mm, "登録番号")
    canvas.setFont(names.gothic, 11)
    canvas.drawString(17 * mm, height - 15.8 * mm, registration_number)
    canvas.setFont(names.mincho, 6.5)
    canvas.drawRightString(width - 5 * mm, height - 15.5 * mm, f"交付　{to_wareki(issued_on)}")
    barcode = Code128(registration_number, barHeight=8 * mm, barWidth=0.33 * mm, quiet=False)
    barcode.drawOn(canvas, 5 * mm, height - 26.5 * mm)
    _draw_identity_box(canvas, names.gothic, width)
    canvas.setFont(names.mincho, 5.5)
    canvas.drawString(
        5 * mm, 4 * mm, f"{office.mayor_title}　この証は他人に貸したり譲ったりしないでください。"
    )
    return finish_pdf(canvas, buffer)


def _draw_identity_box(canvas: Canvas, gothic: str, width: float) -> None:
    """The blank 本人識別欄 (holder's name or signature)."""
    left, bottom, box_width, box_height = 5 * mm, 7.5 * mm, width - 10 * mm, 12 * mm
    canvas.rect(left, bottom, box_width, box_height, stroke=1, fill=0)
    canvas.line(left + 11 * mm, bottom, left + 11 * mm, bottom + box_height)
    canvas.setFont(gothic, 6)
    canvas.drawString(left + 1.5 * mm, bottom + box_height / 2 + 0.6 * mm, "本人")
    canvas.drawString(left + 1.5 * mm, bottom + box_height / 2 - 2.4 * mm, "識別欄")
