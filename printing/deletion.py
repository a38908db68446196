"""抹消通知書: the notice mailed after a registration was deleted (抹消, functions 4.2.1 / 4.2.2)."""

from __future__ import annotations

from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from printing.documents import DeletionNotice, Office
from printing.fonts import FontSet, fonts_for
from printing.layout import PageSetup
from printing.sheet import (
    addressee_texts,
    draw_address_block,
    draw_contact,
    draw_field_table,
    draw_issuer,
    draw_wrapped,
    finish_pdf,
    office_texts,
    start_pdf,
)
from printing.wareki import to_wareki

TITLE = "印鑑登録抹消通知書"
_WIDTH, _HEIGHT = A4
_LEFT = 20 * mm
_BODY = _WIDTH - 2 * _LEFT


def deletion_notice(
    notice: DeletionNotice, office: Office, *, issued_on: date, fonts: FontSet | None = None
) -> bytes:
    """Render the 印鑑登録抹消通知書 (one A4 page) as PDF bytes.

    Raises UnprintableCharacterError for a text field without a glyph, PrintingError for a missing font or
    a date before Meiji.
    """
    fonts, names = fonts_for(_texts(notice, office), fonts)
    setup = PageSetup(
        title=TITLE,
        author=office.issuer,
        subject=f"{TITLE}（登録番号 {notice.registration_number}）",
        dated=issued_on,
    )
    canvas, buffer = start_pdf(setup, names)
    draw_address_block(canvas, names, notice.addressee, _HEIGHT)
    draw_issuer(canvas, names, office, _WIDTH - _LEFT, _HEIGHT - 20 * mm, to_wareki(issued_on))
    canvas.setFont(names.gothic, 18)
    canvas.drawCentredString(_WIDTH / 2, _HEIGHT - 80 * mm, TITLE)
    text = (
        "あなたの印鑑登録は、次のとおり抹消しましたので通知します。抹消された印鑑登録証（カード）は"
        "使用できません。改めて印鑑登録を希望される場合は、登録する印鑑と本人確認書類をお持ちのうえ、"
        "窓口で申請してください。"
    )
    draw_wrapped(canvas, text, names.mincho, 10.5, _LEFT, _HEIGHT - 92 * mm, _BODY, 1.6)
    rows = [
        ("登録番号", notice.registration_number),
        ("氏名", notice.name),
        ("抹消年月日", to_wareki(notice.deleted_on)),
        ("抹消の理由", notice.reason),
    ]
    bottom = draw_field_table(
        canvas, names, rows, _LEFT, _HEIGHT - 118 * mm, (35 * mm, _BODY - 35 * mm), 11 * mm
    )
    draw_contact(canvas, names, office, _LEFT + _BODY - 110 * mm, bottom - 20 * mm, 110 * mm)
    return finish_pdf(canvas, buffer)


def _texts(notice: DeletionNotice, office: Office) -> tuple[tuple[str, str], ...]:
    return (("登録番号", notice.registration_number), ("氏名", notice.name), ("抹消の理由", notice.reason),
            *addressee_texts(notice.addressee), *office_texts(office))
