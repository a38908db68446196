"""QR codes drawn as vector squares (one filled path, row runs merged)."""

from __future__ import annotations

import segno
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4


def qr_matrix(payload: str) -> list[list[bool]]:
    """Return the module matrix (True = dark) of a regular QR code of ``payload`` (error level M)."""
    # A fixed mask skips segno's pure-Python mask scoring (~15 ms); every mask pattern is valid.
    code = segno.make(payload, micro=False, error="m", boost_error=False, mask=0)
    return [[bool(cell) for cell in row] for row in code.matrix]


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw the QR code of ``payload`` with its quiet zone into the square (x, y, size) in points."""
    matrix = qr_matrix(payload)
    module = size / (len(matrix) + 2 * QUIET_ZONE)
    ops = ["0 g"]
    for row_index, row in enumerate(matrix):
        bottom = y + size - (row_index + QUIET_ZONE + 1) * module
        for start, length in _dark_runs(row):
            left = x + (start + QUIET_ZONE) * module
            ops.append(f"{left:.3f} {bottom:.3f} {length * module:.3f} {module:.3f} re")
    # Raw operators: reportlab's path objects format every number in pure Python (~10 ms per code).
    canvas.saveState()
    canvas._code.append("\n".join(ops) + "\nf")
    canvas.restoreState()


def _dark_runs(row: list[bool]) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in ``row``."""
    runs: list[tuple[int, int]] = []
    start = None
    for index, dark in enumerate([*row, False]):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            runs.append((start, index - start))
            start = None
    return runs
