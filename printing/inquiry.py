"""4.1.4.2 照会書兼回答書: the letter mailed to the applicant, with the 回答書 to cut off, fill in and stamp."""

from __future__ import annotations

from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.documents import Inquiry, Office
from printing.fonts import FontNames, FontSet, fonts_for
from printing.layout import RULE, PageSetup
from printing.qr import draw_qr
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

FUNCTION_ID = "4.1.4.2"
TITLE = "照会書兼回答書"
_WIDTH, _HEIGHT = A4
_LEFT = 18 * mm
_BODY = _WIDTH - 2 * _LEFT
_CUT_Y = 128 * mm
_QR_SIZE = 24 * mm


def inquiry_letter(
    inquiry: Inquiry, office: Office, *, issued_on: date, fonts: FontSet | None = None
) -> bytes:
    """Render the 照会書兼回答書 (one A4 page) as PDF bytes.

    Raises UnprintableCharacterError for a text field without a glyph, PrintingError for a missing font or
    a date before Meiji.
    """
    fonts, names = fonts_for(_texts(inquiry, office), fonts)
    setup = PageSetup(
        title=TITLE,
        author=office.issuer,
        subject=f"{FUNCTION_ID} {TITLE}（照会番号 {inquiry.inquiry_number}）",
        dated=issued_on,
    )
    canvas, buffer = start_pdf(setup, names)
    _draw_letter(canvas, names, inquiry, office, issued_on)
    _draw_cut_line(canvas, names)
    _draw_answer(canvas, names, inquiry, office)
    return finish_pdf(canvas, buffer)


def _texts(inquiry: Inquiry, office: Office) -> tuple[tuple[str, str], ...]:
    return (("照会番号", inquiry.inquiry_number), ("申請の種類", inquiry.application_kind),
            ("申請者氏名", inquiry.applicant_name), *addressee_texts(inquiry.addressee), *office_texts(office))


def _draw_letter(canvas: Canvas, names: FontNames, inquiry: Inquiry, office: Office, issued_on: date) -> None:
    """Address block, issuer, title, explanation, the application table and the contact block."""
    draw_address_block(canvas, names, inquiry.addressee, _HEIGHT)
    canvas.setFont(names.mincho, 9)
    canvas.drawRightString(_WIDTH - _LEFT, _HEIGHT - 14 * mm, f"照会番号　{inquiry.inquiry_number}")
    draw_issuer(canvas, names, office, _WIDTH - _LEFT, _HEIGHT - 20 * mm, to_wareki(issued_on))
    canvas.setFont(names.gothic, 16)
    canvas.drawCentredString(_WIDTH / 2, _HEIGHT - 72 * mm, "印鑑登録申請についての照会書")
    text = (
        "あなたから次のとおり印鑑登録の申請がありました。この申請がご本人の意思に基づくものであるかを"
        "確認するため照会します。下の回答書に記入・押印のうえ、回答期限までに登録を申請した印鑑と"
        "本人確認書類を持参して窓口へお越しください。お心当たりのない場合は、至急ご連絡ください。"
    )
    draw_wrapped(canvas, text, names.mincho, 10, _LEFT, _HEIGHT - 78 * mm, _BODY, 1.55)
    rows = [
        ("申請の種類", inquiry.application_kind),
        ("申請日", to_wareki(inquiry.applied_on)),
        ("申請者", inquiry.applicant_name),
        ("回答期限", f"{to_wareki(inquiry.answer_deadline)}まで"),
    ]
    bottom = draw_field_table(canvas, names, rows, _LEFT, _HEIGHT - 98 * mm, (30 * mm, 90 * mm), 7.5 * mm)
    draw_contact(canvas, names, office, _LEFT, bottom - 5 * mm, _BODY)


def _draw_cut_line(canvas: Canvas, names: FontNames) -> None:
    canvas.saveState()
    canvas.setDash(3, 2)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(8 * mm, _CUT_Y, _WIDTH / 2 - 14 * mm, _CUT_Y)
    canvas.line(_WIDTH / 2 + 14 * mm, _CUT_Y, _WIDTH - 8 * mm, _CUT_Y)
    canvas.setFont(names.mincho, 8)
    canvas.drawCentredString(_WIDTH / 2, _CUT_Y - 3, "きりとり線")
    canvas.restoreState()


def _draw_answer(canvas: Canvas, names: FontNames, inquiry: Inquiry, office: Office) -> None:
    """The 回答書: addressed to the mayor, 本人 / 代理人 choice, applicant with 印 box, 委任状, number and QR."""
    top = _CUT_Y - 8 * mm
    canvas.setFont(names.gothic, 16)
    canvas.drawCentredString(_WIDTH / 2, top - 14, "回　答　書")
    canvas.setFont(names.mincho, 10.5)
    canvas.drawString(_LEFT, top - 10 * mm, f"{office.mayor_title}　様")
    canvas.drawRightString(_WIDTH - _LEFT - _QR_SIZE - 4 * mm, top - 10 * mm, "令和　　年　　月　　日")
    canvas.setFont(names.mincho, 9)
    canvas.drawString(_LEFT, top - 4 * mm, f"照会番号　{inquiry.inquiry_number}")
    draw_qr(canvas, inquiry.inquiry_number, _WIDTH - _LEFT - _QR_SIZE, top - _QR_SIZE + 4 * mm, _QR_SIZE)
    sentence = (
        f"{to_wareki(inquiry.applied_on)}付けの{inquiry.application_kind}は、"
        "私の意思に基づくものに相違ありません。"
    )
    draw_wrapped(canvas, sentence, names.mincho, 10.5, _LEFT, top - 17 * mm, _BODY - _QR_SIZE - 4 * mm)
    _draw_choice(canvas, names, top - 29 * mm)
    _draw_signature_row(canvas, names, "申請者（本人）", top - 36 * mm)
    _draw_proxy(canvas, names, top - 67 * mm)


def _draw_choice(canvas: Canvas, names: FontNames, y: float) -> None:
    """「窓口に来る方」 with □本人 □代理人 checkboxes."""
    canvas.setFont(names.gothic, 10)
    canvas.drawString(_LEFT, y, "窓口に来る方（該当に✓）")
    canvas.setFont(names.mincho, 11)
    for index, label in enumerate(("本人", "代理人（下の委任状に記入）")):
        x = _LEFT + 50 * mm + index * 30 * mm
        canvas.rect(x, y - 1, 4 * mm, 4 * mm, stroke=1, fill=0)
        canvas.drawString(x + 6 * mm, y, label)


def _draw_signature_row(
    canvas: Canvas, names: FontNames, label: str, top: float, height: float = 24 * mm
) -> None:
    """Ruled 住所 / 氏名 box with a 印 square for the registered seal on the right."""
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    seal = 22 * mm
    width = _BODY - seal - 4 * mm
    canvas.rect(_LEFT, top - height, width, height, stroke=1, fill=0)
    canvas.line(_LEFT, top - height / 2, _LEFT + width, top - height / 2)
    canvas.line(_LEFT + 38 * mm, top - height, _LEFT + 38 * mm, top)
    canvas.setFont(names.gothic, 9)
    canvas.drawString(_LEFT + 2 * mm, top - height / 4 - 3, f"{label}住所")
    canvas.drawString(_LEFT + 2 * mm, top - height * 3 / 4 - 3, f"{label}氏名")
    x = _LEFT + _BODY - seal
    canvas.rect(x, top - seal - (height - seal) / 2, seal, seal, stroke=1, fill=0)
    canvas.setFont(names.mincho, 9)
    canvas.setFillColorRGB(0.55, 0.55, 0.55)
    canvas.drawCentredString(x + seal / 2, top - height / 2 - 3, "印")
    canvas.setFillColorRGB(0, 0, 0)


def _draw_proxy(canvas: Canvas, names: FontNames, top: float) -> None:
    """The 委任状 section: the delegation sentence, the proxy's address and name, and the applicant's seal."""
    canvas.setFont(names.gothic, 11)
    canvas.drawString(_LEFT, top, "委　任　状（代理人が来る場合のみ記入）")
    canvas.setFont(names.mincho, 9.5)
    canvas.drawString(
        _LEFT, top - 6 * mm, "私は、次の者を代理人と定め、この回答書の提出と印鑑登録の手続を委任します。"
    )
    _draw_signature_row(canvas, names, "代理人", top - 9 * mm, 16 * mm)
    canvas.setFont(names.mincho, 8.5)
    canvas.drawString(
        _LEFT,
        top - 30 * mm,
        "委任者（申請者本人）は、上の回答書の申請者欄に記入し、登録する印鑑を押してください。",
    )
