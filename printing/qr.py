"""QR codes drawn as vector squares (one filled path, row runs merged)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import segno
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4
_DARK_RUN = re.compile(rb"\x01+")


def _modules(payload: str) -> Sequence[bytearray]:
    """Rows of the module matrix (1 = dark) of a regular QR code of ``payload`` (error level M)."""
    # A fixed mask skips segno's pure-Python mask scoring (~15 ms); every mask pattern is valid.
    return segno.make(payload, micro=False, error="m", boost_error=False, mask=0).matrix


def qr_matrix(payload: str) -> list[list[bool]]:
    """Return the module matrix (True = dark) of a regular QR code of ``payload`` (error level M)."""
    return [[bool(cell) for cell in row] for row in _modules(payload)]


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw the QR code of ``payload`` with its quiet zone into the square (x, y, size) in points."""
    rows = _modules(payload)
    count = len(rows) + 2 * QUIET_ZONE
    module = size / count
    # One unit = one module, so every rectangle is small integers: a short page stream, quick to compress.
    ops = [f"{module:.5f} 0 0 {module:.5f} {x:.3f} {y:.3f} cm", "0 g"]
    for row_index, row in enumerate(rows):
        bottom = count - QUIET_ZONE - 1 - row_index
        ops.extend(
            f"{run.start() + QUIET_ZONE} {bottom} {run.end() - run.start()} 1 re"
            for run in _DARK_RUN.finditer(row)
        )
    # Raw operators: reportlab's path objects format every number in pure Python (~10 ms per code).
    canvas.saveState()
    canvas._code.append("\n".join(ops) + "\nf")
    canvas.restoreState()
