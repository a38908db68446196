"""Every CSV the product hands out is written here: no cell a spreadsheet would run.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or their full-width forms)
is a formula to a spreadsheet — a clerk's free text ``=HYPERLINK(…)`` in the access log would run on the
auditor's machine — so it gets a leading ``'`` (OWASP "CSV injection"). Numbers stay numbers; dates become ISO text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

__all__ = ["FORMULA_STARTS", "csv_text", "safe_cell"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_cell(value: Any) -> Any:
    """The value as a CSV cell that no spreadsheet evaluates."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text (CRLF lines) of a header and rows, every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
