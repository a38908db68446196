"""Shared page machinery for printed documents: styles, escaped paragraphs, "n / total" page numbers."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

from printing.fonts import FontNames
from printing.pdfa import CREATOR, ArchivalCanvas, Dated
from printing.wareki import to_wareki

PageDrawer = Callable[[Canvas, int, int], None]

LABEL_FILL = colors.Color(0.92, 0.92, 0.92)
RULE = colors.Color(0.25, 0.25, 0.25)
ALERT = colors.Color(0.75, 0.05, 0.05)


@dataclass(frozen=True)
class PageSetup:
    """Margins (points) of an A4 portrait page and the document metadata (``dated``: issue time or date)."""

    title: str
    author: str
    subject: str
    dated: Dated
    left: float = 15 * mm
    right: float = 15 * mm
    top: float = 24 * mm
    bottom: float = 22 * mm


def make_styles(names: FontNames) -> dict[str, ParagraphStyle]:
    """Return the paragraph styles shared by all documents (Mincho body, Gothic headings, CJK wrapping)."""

    def style(name: str, font: str, size: float, align: int = TA_LEFT, **extra: Any) -> ParagraphStyle:
        options: dict[str, Any] = {"leading": size * 1.3, **extra}
        return ParagraphStyle(name, fontName=font, fontSize=size, alignment=align, wordWrap="CJK", **options)

    return {
        "title": style("title", names.gothic, 18, TA_CENTER, leading=24),
        "heading": style("heading", names.gothic, 11, spaceBefore=4, spaceAfter=2),
        "label": style("label", names.gothic, 8.5),
        "th": style("th", names.gothic, 8.5, TA_CENTER),
        "body": style("body", names.mincho, 10),
        "large": style("large", names.mincho, 13),
        "small": style("small", names.mincho, 8),
        "small_right": style("small_right", names.mincho, 8, TA_RIGHT),
        "cell": style("cell", names.mincho, 8),
        "alert": style("alert", names.gothic, 10, textColor=ALERT),
    }


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """Return a Paragraph of plain ``text`` (markup escaped, line breaks and full-width spaces kept)."""
    markup = escape(text).replace("\n", "<br/>").replace("\u3000", "&#x3000;")
    return Paragraph(markup, style)


def styled_table(rows: Sequence[Sequence[Any]], font: str, commands: Sequence[tuple], **kwargs: Any) -> Table:
    """A Table styled with ``commands``; its own cell font is ``font`` (embedded), never reportlab's Helvetica."""
    table = Table(rows, **kwargs)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), *commands]))
    return table


def wareki_datetime(moment: datetime) -> str:
    """Format a timestamp as 「令和7年11月22日 14:05」; raises PrintingError before Meiji."""
    return f"{to_wareki(moment.date())} {moment:%H:%M}"


def numbered_canvas(draw_page: PageDrawer, setup: PageSetup, base_font: str) -> type[Canvas]:
    """Return a PDF/A canvas class that calls ``draw_page(canvas, page, total)`` on every page before saving."""

    class NumberedCanvas(ArchivalCanvas):
        dated = setup.dated

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, base_font=base_font, **kwargs)
            self._page_states: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab API name
            self._page_states.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._page_states)
            for state in self._page_states:
                self.__dict__.update(state)
                draw_page(self, self._pageNumber, total)
                Canvas.showPage(self)
            super().save()

    return NumberedCanvas


@contextmanager
def binary_streams() -> Iterator[None]:
    """Write streams Flate-only while rendering (no ASCII85 pass: faster, smaller); restores the setting."""
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def build_pdf(setup: PageSetup, story: Sequence[Flowable], draw_page: PageDrawer, names: FontNames) -> bytes:
    """Lay out ``story`` on A4 portrait pages, calling ``draw_page`` for headers/footers; return PDF/A bytes."""
    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=setup.left,
        rightMargin=setup.right,
        topMargin=setup.top,
        bottomMargin=setup.bottom,
        title=setup.title,
        author=setup.author,
        subject=setup.subject,
        creator=CREATOR,
        lang="ja-JP",
        invariant=1,
        initialFontName=names.mincho,
    )
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    with binary_streams():  # reportlab's pure-Python ASCII85 of the impression and its mask was half the time
        doc.build(list(story), canvasmaker=numbered_canvas(draw_page, setup, names.mincho))
    return buffer.getvalue()
