"""Anti-copy features of certificates: a guilloche-like vector background and a microtext line."""

from __future__ import annotations

import math
from functools import lru_cache

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

BACKGROUND_FORM = "InkanGuilloche"
_TINT = (0.62, 0.78, 0.74)
_STEPS = 90


def draw_background(canvas: Canvas, x: float, y: float, width: float, height: float) -> None:
    """Draw the guilloche pattern over (x, y, width, height); defined once per document as a form XObject."""
    name = f"{BACKGROUND_FORM}-{round(width)}x{round(height)}"
    if not canvas.hasForm(name):
        canvas.saveState()
        canvas.beginForm(name, 0, 0, width, height)
        canvas._code.append(_guilloche_ops(width, height))
        canvas.endForm()
        canvas.restoreState()
    canvas.saveState()
    canvas.translate(x, y)
    canvas.doForm(name)
    canvas.restoreState()


@lru_cache(maxsize=8)
def _guilloche_ops(width: float, height: float) -> str:
    """PDF operators of interleaved sine bands (two frequencies per curve), thin pale lines; cached."""
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
