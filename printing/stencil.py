"""Single-ink images (seal impressions, office seal) embedded as 1-bit PDF stencil masks painted in one colour."""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO

import numpy as np
from PIL import Image, UnidentifiedImageError
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFObject, PDFStream
from reportlab.pdfgen.canvas import Canvas

from printing.errors import PrintingError

_INK_ALPHA = 128
_INK_LUMA = 160


@dataclass(frozen=True)
class Stencil:
    """A packed 1-bit mask (bit 0 = ink, rows padded to bytes) and the ink's RGB colour (0..1)."""

    width_px: int
    height_px: int
    bits: bytes
    compressed: bytes
    color: tuple[float, float, float]
    name: str


@lru_cache(maxsize=64)
def stencil_from_png(png: bytes) -> Stencil:
    """Threshold a PNG (alpha, or darkness when opaque) into a Stencil; raises PrintingError if unreadable."""
    try:
        image = Image.open(BytesIO(png))
        image.load()
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError) as exc:
        raise PrintingError("invalid_image", "画像を読み込めません") from exc
    rgba = np.asarray(image.convert("RGBA"))
    if (rgba[..., 3] < 255).any():
        ink = rgba[..., 3] >= _INK_ALPHA
    else:  # opaque scan: dark pixels are ink
        ink = np.asarray(image.convert("L")) < _INK_LUMA
    color = _ink_color(rgba, ink)
    packed = Image.fromarray(np.where(ink, 0, 255).astype(np.uint8)).convert("1").tobytes()
    name = "stencil" + hashlib.sha1(packed + repr(color).encode()).hexdigest()[:16]
    return Stencil(image.width, image.height, packed, zlib.compress(packed, 9), color, name)


def _ink_color(rgba: np.ndarray, ink: np.ndarray) -> tuple[float, float, float]:
    """Median colour of the ink pixels, rounded to 1/255 (black when there is no ink)."""
    if not ink.any():
        return (0.0, 0.0, 0.0)
    median = np.median(rgba[..., :3][ink], axis=0)
    red, green, blue = (round(float(value) / 255.0, 3) for value in median)
    return (red, green, blue)


class _StencilXObject(PDFObject):
    """An /ImageMask image XObject (Flate-compressed); reportlab writes it once per document."""

    def __init__(self, stencil: Stencil) -> None:
        self.stencil = stencil

    def format(self, document: object) -> bytes:
        stencil = self.stencil
        dictionary = PDFDictionary(
            {
                "Type": PDFName("XObject"),
                "Subtype": PDFName("Image"),
                "Width": stencil.width_px,
                "Height": stencil.height_px,
                "ImageMask": "true",
                "BitsPerComponent": 1,
                "Filter": PDFArray([PDFName("FlateDecode")]),
            }
        )
        return PDFStream(dictionary, stencil.compressed).format(document)


def draw_stencil(canvas: Canvas, stencil: Stencil, x: float, y: float, width: float, height: float) -> None:
    """Paint ``stencil`` in its ink colour into the box (x, y, width, height), in points."""
    doc = canvas._doc
    reg_name = doc.getXObjectName(stencil.name)
    if reg_name not in doc.idToObject:
        doc.Reference(_StencilXObject(stencil), reg_name)
    canvas.saveState()
    canvas.setFillColorRGB(*stencil.color)
    canvas.transform(width, 0, 0, height, x, y)
    canvas._code.append(f"/{reg_name} Do")
    canvas.restoreState()
    canvas._formsinuse.append(stencil.name)
