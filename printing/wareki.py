"""Japanese era dates (和暦) for printed documents."""

from __future__ import annotations

from datetime import date

from printing.errors import PrintingError

# (first day, era name), newest first. Meiji starts on 1868-01-25 (慶応4年1月1日), as in the usual
# conversion tables; dates are always the Gregorian month/day, even before the 1873 calendar reform.
_ERAS: tuple[tuple[date, str], ...] = (
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
    (date(1926, 12, 25), "昭和"),
    (date(1912, 7, 30), "大正"),
    (date(1868, 1, 25), "明治"),
)
# Every character a 和暦 date can print besides digits (fixed text for the font subsets, see printing.subsets).
DATE_CHARS = "".join(name for _, name in _ERAS) + "元年月日（）"


def era_year(d: date) -> tuple[str, int]:
    """Return the era name and the year within it (1 = 元年); raises PrintingError before Meiji."""
    for start, name in _ERAS:
        if d >= start:
            return name, d.year - start.year + 1
    raise PrintingError("date_out_of_range", f"明治より前の日付は和暦で表示できません: {d.isoformat()}")


def to_wareki(d: date, *, with_western: bool = False) -> str:
    """Format ``d`` as 「令和7年11月22日」 (「令和7年（2025年）11月22日」 with_western); raises PrintingError."""
    name, year = era_year(d)
    year_text = "元" if year == 1 else str(year)
    western = f"（{d.year}年）" if with_western else ""
    return f"{name}{year_text}年{western}{d.month}月{d.day}日"
