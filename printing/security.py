"""Anti-copy features of certificates: a guilloche-like vector background and a microtext line."""

from __future__ import annotations

import math
import zlib
from functools import lru_cache

from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from printing.xobjects import CompressedXObject, paint_xobject

BACKGROUND_FORM = "InkanGuilloche"
_TINT = (0.62, 0.78, 0.74)
_STEPS = 90


def draw_background(canvas: Canvas, x: float, y: float, width: float, height: float) -> None:
    """Draw the guilloche pattern over (x, y, width, height); a form XObject written once per document."""
    name = f"{BACKGROUND_FORM}-{round(width)}x{round(height)}"
    canvas.saveState()
    canvas.translate(x, y)
    paint_xobject(canvas, name, lambda: _guilloche_form(width, height))
    canvas.restoreState()


def _guilloche_form(width: float, height: float) -> CompressedXObject:
    """The pattern as a form XObject (a new object per document: reportlab numbers objects per document)."""
    entries = {
        "FormType": 1,
        "BBox": PDFArray([0, 0, width, height]),
        "Matrix": PDFArray([1, 0, 0, 1, 0, 0]),
        "Resources": PDFDictionary({"ProcSet": PDFArray([PDFName("PDF")])}),
    }
    return CompressedXObject("Form", entries, _guilloche_stream(width, height))


@lru_cache(maxsize=8)
def _guilloche_stream(width: float, height: float) -> bytes:
    """The pattern's operators (~60 KB) compressed once per process."""
    return zlib.compress(_guilloche_ops(width, height).encode("ascii"), 9)


def _guilloche_ops(width: float, height: float) -> str:
    """PDF operators of interleaved sine bands (two frequencies per curve), thin pale lines."""
    ops = ["0.2 w", "{:.2f} {:.2f} {:.2f} RG".format(*_TINT)]
    bands = 6
    for band in range(bands):
        centre = height * (band + 0.5) / bands
        amplitude = height / bands * 0.55
        for phase_index in range(8):
            phase = phase_index * math.pi / 8
            points = []
            for step in range(_STEPS + 1):
                t = step / _STEPS
                angle = t * 2 * math.pi
                offset = math.sin(5 * angle + phase) * 0.7 + math.sin(13 * angle - 2 * phase) * 0.3
                points.append(f"{t * width:.1f} {centre + amplitude * offset:.1f}")
            ops.append(f"{points[0]} m " + " l ".join(points[1:]) + " l S")
    return "\n".join(ops)


def draw_microtext(
    canvas: Canvas, font: str, text: str, x: float, y: float, width: float, size: float = 1.2
) -> None:
    """Repeat ``text`` at ``size`` pt along a line of ``width`` points starting at (x, y)."""
    unit = stringWidth(text, font, size)
    line = text * max(1, int(width // unit))
    canvas.saveState()
    canvas.setFont(font, size)
    canvas.setFillColorRGB(0.25, 0.25, 0.25)
    canvas.drawString(x, y, line)
    canvas.restoreState()
