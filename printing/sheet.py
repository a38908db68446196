"""Canvas helpers for the one-page documents: CJK line wrapping, window-envelope address, ruled field tables."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from printing.documents import Addressee, Office
from printing.fonts import FontNames
from printing.layout import LABEL_FILL, RULE, PageSetup
from printing.pdfa import ArchivalCanvas

# 長形3号 window envelope: the window sits about 23 mm from the left and 14 mm from the top of the sheet.
WINDOW_LEFT = 23 * mm
WINDOW_TOP = 16 * mm
WINDOW_WIDTH = 88 * mm


def office_texts(office: Office) -> tuple[tuple[str, str], ...]:
    """(field, text) of the office block every letter prints, for the printable-character check."""
    return (("市区町村名", office.municipality), ("市長の職名", office.mayor_title), ("市長の氏名", office.mayor_name),
            ("担当課", office.section), ("連絡先", office.contact))


def addressee_texts(addressee: Addressee) -> tuple[tuple[str, str], ...]:
    return (("郵便番号", addressee.postcode), ("宛先住所", addressee.address), ("宛名", addressee.name))


_NO_LINE_START = frozenset("、。，．）」』】・ー")  # kinsoku: hang these at the line end instead


def open_canvas(
    buffer: BytesIO, setup: PageSetup, names: FontNames, pagesize: tuple[float, float] = A4
) -> Canvas:
    """A deterministic PDF/A canvas with the document metadata set (``names.mincho`` as its initial font)."""
    canvas = ArchivalCanvas(
        buffer, pagesize=pagesize, pageCompression=1, base_font=names.mincho, dated=setup.dated
    )
    canvas.setTitle(setup.title)
    canvas.setAuthor(setup.author)
    canvas.setSubject(setup.subject)
    return canvas


def start_pdf(
    setup: PageSetup, names: FontNames, pagesize: tuple[float, float] = A4
) -> tuple[Canvas, BytesIO]:
    """A canvas writing into a new in-memory buffer."""
    buffer = BytesIO()
    return open_canvas(buffer, setup, names, pagesize), buffer


def finish_pdf(canvas: Canvas, buffer: BytesIO) -> bytes:
    """Close the current page and the document; the PDF bytes."""
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def wrap_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Split ``text`` into lines no wider than ``width`` points, breaking anywhere (CJK) and at newlines."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for char in paragraph:
            if line and char not in _NO_LINE_START and stringWidth(line + char, font, size) > width:
                lines.append(line)
                line = ""
            line += char
        lines.append(line)
    return lines


def draw_wrapped(
    canvas: Canvas,
    text: str,
    font: str,
    size: float,
    x: float,
    top: float,
    width: float,
    leading: float = 1.45,
) -> float:
    """Draw ``text`` wrapped to ``width`` with its first baseline just under ``top``; return the last baseline."""
    canvas.setFont(font, size)
    y = top - size
    for line in wrap_lines(text, font, size, width):
        canvas.drawString(x, y, line)
        y -= size * leading
    return y + size * leading


def draw_address_block(canvas: Canvas, names: FontNames, addressee: Addressee, page_height: float) -> None:
    """Postcode, address and 「name 様」 inside the 長形3号 window (top-left of the page)."""
    x = WINDOW_LEFT
    top = page_height - WINDOW_TOP
    canvas.setFont(names.gothic, 11)
    canvas.drawString(x, top - 11, f"〒{addressee.postcode}")
    last = draw_wrapped(canvas, addressee.address, names.mincho, 10.5, x, top - 17, WINDOW_WIDTH)
    canvas.setFont(names.mincho, 14)
    canvas.drawString(x + 4 * mm, last - 10 * mm, f"{addressee.name}　様")


def draw_field_table(
    canvas: Canvas,
    names: FontNames,
    rows: Sequence[tuple[str, str]],
    x: float,
    top: float,
    widths: tuple[float, float],
    row_height: float = 9 * mm,
    size: float = 10.5,
) -> float:
    """Ruled two-column table (grey label, Mincho value wrapped to fit); return its bottom y."""
    label_width, value_width = widths
    y = top
    for label, value in rows:
        lines = wrap_lines(value, names.mincho, size, value_width - 4 * mm)
        height = max(row_height, len(lines) * size * 1.4 + 3 * mm)
        y -= height
        canvas.setFillColor(LABEL_FILL)
        canvas.rect(x, y, label_width, height, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.rect(x, y, label_width + value_width, height, stroke=1, fill=0)
        canvas.line(x + label_width, y, x + label_width, y + height)
        canvas.setFont(names.gothic, 9)
        canvas.drawString(x + 2 * mm, y + height / 2 - 3, label)
        canvas.setFont(names.mincho, size)
        first = y + height / 2 + (len(lines) - 1) * size * 0.7 - size * 0.35
        for index, line in enumerate(lines):
            canvas.drawString(x + label_width + 2 * mm, first - index * size * 1.4, line)
    return y


def draw_contact(
    canvas: Canvas, names: FontNames, office: Office, x: float, top: float, width: float
) -> float:
    """Boxed 「お問い合わせ先」 block with the office's contact lines; return its bottom y."""
    lines = office.contact.splitlines()
    height = (len(lines) + 1) * 4.6 * mm + 3 * mm
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.rect(x, top - height, width, height, stroke=1, fill=0)
    canvas.setFont(names.gothic, 9)
    canvas.drawString(x + 3 * mm, top - 6 * mm, "お問い合わせ先")
    canvas.setFont(names.mincho, 9)
    for index, line in enumerate(lines):
        canvas.drawString(x + 3 * mm, top - (10.6 + index * 4.6) * mm, line)
    return top - height


def draw_issuer(
    canvas: Canvas, names: FontNames, office: Office, right: float, top: float, dated: str
) -> None:
    """Right-aligned date, then 「見本市長　見本 一郎」 and the section, under ``top``."""
    canvas.setFont(names.mincho, 10.5)
    canvas.drawRightString(right, top - 10.5, dated)
    canvas.drawRightString(right, top - 10.5 - 7 * mm, f"{office.mayor_title}　{office.mayor_name}")
    canvas.setFont(names.mincho, 9)
    canvas.drawRightString(right, top - 10.5 - 12 * mm, f"（{office.municipality}　{office.section}）")
