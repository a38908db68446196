"""CSV downloads for Excel (UTF-8 with BOM); the cells are made safe by registry.csv_text, the one writer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response

from registry.csv_text import FORMULA_STARTS, csv_text, safe_cell

__all__ = ["FORMULA_STARTS", "csv_response", "csv_text", "safe_cell"]


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download for Excel (UTF-8 with BOM)."""
    return Response("\ufeff" + csv_text(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})
