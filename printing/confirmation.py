"""4.1.2.2 印鑑登録原票確認票: the A4 confirmation sheet of one registration record and its history."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import partial

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from printing.documents import Closure, HistoryLine, Impression, Office, RegistrationRecord
from printing.fonts import FontNames, FontSet, check_printable, default_fonts, register_fonts
from printing.impression import ImpressionBox
from printing.layout import (
    ALERT,
    LABEL_FILL,
    RULE,
    PageSetup,
    build_pdf,
    make_styles,
    para,
    styled_table,
    wareki_datetime,
)
from printing.wareki import to_wareki

FUNCTION_ID = "4.1.2.2"
TITLE = "印鑑登録原票確認票"
CLOSED_FUNCTION_ID = "4.4.1.3"
CLOSED_TITLE = "印鑑登録原票（除票）確認票"
_HISTORY_COLUMNS = (("処理日時", 36), ("異動日", 27), ("異動事由", 20), ("処理者", 25), ("内容", 72))

Styles = dict[str, ParagraphStyle]


def confirmation_sheet(
    record: RegistrationRecord,
    history: Sequence[HistoryLine],
    impression: Impression | None,
    office: Office,
    *,
    issued_at: datetime,
    fonts: FontSet | None = None,
    reprint_reason: str | None = None,
) -> bytes:
    """Render the 印鑑登録原票確認票 as PDF bytes.

    Raises UnprintableCharacterError when a text field has no glyph in the fonts, and PrintingError when a
    font is missing, a date precedes Meiji, or the impression is unreadable or larger than its box.
    """
    return record_sheet(
        record, history, impression, office, issued_at=issued_at, fonts=fonts, reprint_reason=reprint_reason
    )


def record_sheet(
    record: RegistrationRecord,
    history: Sequence[HistoryLine],
    impression: Impression | None,
    office: Office,
    *,
    issued_at: datetime,
    fonts: FontSet | None = None,
    reprint_reason: str | None = None,
    closure: Closure | None = None,
) -> bytes:
    """Render the 原票確認票, or with ``closure`` the 除票確認票; raises as confirmation_sheet does."""
    fonts = fonts or default_fonts()
    for field, text in _texts_to_print(record, history, office, reprint_reason):
        check_printable(text, field, fonts)
    if closure is not None:
        check_printable(closure.reason, "除票事由", fonts)
    names = register_fonts(fonts)
    styles = make_styles(names)
    function_id, title = (FUNCTION_ID, TITLE) if closure is None else (CLOSED_FUNCTION_ID, CLOSED_TITLE)
    story = [
        *_heading(office, issued_at, reprint_reason, styles, title=title, function_id=function_id, closed=closure is not None),
        _record_block(record, impression, names, styles, closure),
        Spacer(0, 6 * mm),
        *_history_section(history, styles),
    ]
    setup = PageSetup(
        title=title,
        author=office.issuer,
        subject=f"{function_id} {title}出力（登録番号 {record.registration_number}）",
        dated=issued_at,
    )
    draw = partial(
        _draw_page,
        names=names,
        office=office,
        record=record,
        issued_at=issued_at,
        reprint=reprint_reason is not None,
        title=title,
    )
    return build_pdf(setup, story, draw, names)


def _texts_to_print(
    record: RegistrationRecord, history: Sequence[HistoryLine], office: Office, reprint_reason: str | None
) -> Iterator[tuple[str, str]]:
    """Yield (Japanese field name, text) for every caller-supplied text the sheet draws."""
    optional = {
        "旧氏": record.old_surname,
        "通称": record.common_name,
        "カタカナ表記": record.katakana_name,
        "登録証の種別": record.card_kind,
        "登録証の番号": record.card_number,
        "再発行理由": reprint_reason,
    }
    yield from (
        ("登録番号", record.registration_number),
        ("状態", record.status),
        ("氏名", record.name),
        ("フリガナ", record.kana),
        ("性別", record.sex),
        ("住所", record.address),
        ("世帯番号", record.household_id),
        ("住民ID", record.resident_id),
        ("市区町村名", office.municipality),
        ("担当課", office.section),
        ("連絡先", office.contact),
    )
    yield from ((field, text) for field, text in optional.items() if text is not None)
    for number, line in enumerate(history, start=1):
        yield from (
            (f"異動履歴{number}行目の異動事由", line.reason),
            (f"異動履歴{number}行目の処理者", line.operator),
            (f"異動履歴{number}行目の内容", line.summary),
        )


def _heading(
    office: Office,
    issued_at: datetime,
    reprint_reason: str | None,
    styles: Styles,
    *,
    title: str = TITLE,
    function_id: str = FUNCTION_ID,
    closed: bool = False,
) -> list[Flowable]:
    """Title with function ID, 除票 and reprint stamps, office and output time, and the reprint reason."""
    heading = Paragraph(f"{title}<font size=8>（{function_id}）</font>", styles["title"])
    stamp: Flowable | str = _stamp("再発行", styles) if reprint_reason is not None else ""
    closed_stamp: Flowable | str = _stamp("除　票", styles, size=20, width=30) if closed else ""
    font = styles["body"].fontName
    top = styled_table(
        [[closed_stamp, heading, stamp]],
        font,
        [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (2, 0), (2, 0), "RIGHT"),
            ("LEFTPADDING", (0, 0), (0, 0), 0),
        ],
        colWidths=[35 * mm, 110 * mm, 35 * mm],
    )
    info = styled_table(
        [
            [
                para(f"{office.municipality}　{office.section}", styles["body"]),
                para(f"出力日時　{wareki_datetime(issued_at)}", styles["small_right"]),
            ]
        ],
        font,
        [
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LINEBELOW", (0, 0), (-1, 0), 1, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ],
        colWidths=[90 * mm, 90 * mm],
    )
    flowables: list[Flowable] = [top, Spacer(0, 2 * mm), info]
    if reprint_reason is not None:
        flowables += [Spacer(0, 2 * mm), para(f"再発行理由：{reprint_reason}", styles["alert"])]
    return [*flowables, Spacer(0, 4 * mm)]


def _stamp(text: str, styles: Styles, size: float = 14, width: float = 26) -> Table:
    """A red boxed mark such as 「再発行」 or 「除票」."""
    style = ParagraphStyle("stamp", parent=styles["alert"], fontSize=size, leading=size + 2, alignment=1)
    return styled_table(
        [[para(text, style)]],
        style.fontName,
        [("BOX", (0, 0), (-1, -1), 1.5, ALERT), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
        colWidths=[width * mm],
        rowHeights=[(size * 0.45 + 4) * mm],
    )


def _record_block(
    record: RegistrationRecord,
    impression: Impression | None,
    names: FontNames,
    styles: Styles,
    closure: Closure | None = None,
) -> Table:
    """The ruled record table on the left and the 登録印影 box on the right."""
    pairs = _record_rows(record, styles)
    if closure is not None:
        pairs[2:2] = [
            ("除票年月日", para(to_wareki(closure.closed_on), styles["alert"])),
            ("除票事由", para(closure.reason, styles["alert"])),
        ]
    rows = [[para(label, styles["label"]), value] for label, value in pairs]
    table = styled_table(
        rows,
        names.mincho,
        [
            ("GRID", (0, 0), (-1, -1), 0.5, RULE),
            ("BOX", (0, 0), (-1, -1), 0.8, RULE),
            ("BACKGROUND", (0, 0), (0, -1), LABEL_FILL),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ],
        colWidths=[37 * mm, 90 * mm],
    )
    box = ImpressionBox(impression, names, title="登録印影")
    return styled_table(
        [[table, box]],
        names.mincho,
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ],
        colWidths=[127 * mm, 53 * mm],
    )


def _record_rows(record: RegistrationRecord, styles: Styles) -> list[tuple[str, Flowable | list[Flowable]]]:
    """(label, cell) pairs of the record table, in the order of the standard."""
    body = styles["body"]
    return [
        ("登録番号", para(record.registration_number, styles["large"])),
        ("状態", para(record.status, body)),
        ("登録年月日", para(to_wareki(record.registered_on), body)),
        ("氏名", _name_cell(record, styles)),
        ("フリガナ", para(record.kana, body)),
        ("生年月日", para(to_wareki(record.birth_date), body)),
        ("性別", para(record.sex, body)),
        ("住所", para(record.address, body)),
        ("世帯番号", para(record.household_id, body)),
        ("住民票コード／住民ID", para(record.resident_id, body)),
        ("登録証の種別と番号", para(_card_text(record), body)),
    ]


def _name_cell(record: RegistrationRecord, styles: Styles) -> list[Flowable]:
    """The name, then one small line per recorded 旧氏 / 通称 / カタカナ表記."""
    extra = (
        ("旧氏", record.old_surname),
        ("通称", record.common_name),
        ("カタカナ表記", record.katakana_name),
    )
    return [para(record.name, styles["large"])] + [
        para(f"{label}　{value}", styles["small"]) for label, value in extra if value
    ]


def _card_text(record: RegistrationRecord) -> str:
    """「印鑑登録証　00012345」, the kind alone, or 「（未交付）」."""
    if not record.card_kind:
        return "（未交付）"
    return f"{record.card_kind}　{record.card_number}" if record.card_number else record.card_kind


def _history_section(history: Sequence[HistoryLine], styles: Styles) -> list[Flowable]:
    """Heading and the 異動履歴 table; the header row repeats on every page the table flows onto."""
    header = [para(label, styles["th"]) for label, _ in _HISTORY_COLUMNS]
    cell = styles["cell"]
    rows = [
        [
            para(wareki_datetime(line.processed_at), cell),
            para(to_wareki(line.effective_date), cell),
            para(line.reason, cell),
            para(line.operator, cell),
            para(line.summary, cell),
        ]
        for line in history
    ]
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if not rows:
        rows = [[para("（異動履歴はありません）", cell), "", "", "", ""]]
        commands.append(("SPAN", (0, 1), (-1, 1)))
    table = styled_table(
        [header, *rows],
        cell.fontName,
        commands,
        colWidths=[width * mm for _, width in _HISTORY_COLUMNS],
        repeatRows=1,
    )
    return [para(f"異動履歴（全{len(history)}件）", styles["heading"]), table]


def _draw_page(
    canvas: Canvas,
    page: int,
    total: int,
    *,
    names: FontNames,
    office: Office,
    record: RegistrationRecord,
    issued_at: datetime,
    reprint: bool,
    title: str = TITLE,
) -> None:
    """Running header (from page 2), office contact lines and 「n / total」 in the footer."""
    width, height = A4
    canvas.saveState()
    if page > 1:
        canvas.setFont(names.gothic, 9)
        mark = "【再発行】" if reprint else ""
        canvas.drawString(
            15 * mm,
            height - 15 * mm,
            f"{mark}{title}（続き）　登録番号 {record.registration_number}　{record.name}",
        )
        canvas.setFont(names.mincho, 8)
        canvas.drawRightString(width - 15 * mm, height - 15 * mm, f"出力日時　{wareki_datetime(issued_at)}")
        canvas.setStrokeColor(RULE)
        canvas.line(15 * mm, height - 17 * mm, width - 15 * mm, height - 17 * mm)
    canvas.setFillColor(colors.black)
    canvas.setFont(names.mincho, 7)
    for index, line in enumerate(office.contact.splitlines()):
        canvas.drawString(15 * mm, 15 * mm - index * 3.2 * mm, line)
    canvas.setFont(names.mincho, 9)
    canvas.drawRightString(width - 15 * mm, 12 * mm, f"{page} / {total}")
    canvas.restoreState()
