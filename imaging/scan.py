"""Decoding uploaded scan bytes (PNG, JPEG, TIFF) into a BGR image with its resolution."""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

from .errors import UnusableImageError

__all__ = ["Scan", "check_image", "load_scan", "MAX_PIXELS", "MAX_BYTES", "MIN_DPI", "MAX_DPI"]

MAX_PIXELS = 40_000_000  # a maximal image stays under 500 MB peak
_TOO_LARGE_MESSAGE = "画像が大きすぎます（4000万画素まで）。解像度を下げてスキャンしてください"
MAX_BYTES = 50 * 1024 * 1024
MIN_DPI = 72.0
MAX_DPI = 2400.0
_FORMATS = {"PNG", "JPEG", "MPO", "TIFF"}
_EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True, eq=False)
class Scan:
    """A decoded scan: BGR uint8 pixels, its dpi and where the dpi came from ('file'|'given'|'default')."""

    image: np.ndarray
    dpi: float
    dpi_source: str
    # JPEG with chroma subsampling: the colour is stored at half resolution, only the brightness is sharp
    colour_halved: bool = False


def load_scan(data: bytes, dpi: float | None = None, default_dpi: float = 300.0) -> Scan:
    """Decode PNG/JPEG/TIFF bytes (first page of a TIFF); `dpi` overrides the file's resolution.

    Refuses from the header, before decoding, files over MAX_BYTES and images over MAX_PIXELS; memory stays
    within about three copies of the decoded pixels.
    Raises UnusableImageError: 'empty_file', 'file_too_large', 'not_an_image', 'unsupported_format',
    'image_too_large', 'bad_dpi'.
    """
    if not data:
        raise UnusableImageError("empty_file")
    if len(data) > MAX_BYTES:
        raise UnusableImageError("file_too_large")
    opened = [_open(data)]
    resolved, source = _resolve_dpi(_file_dpi(opened[0]), dpi, default_dpi)
    halved = _colour_halved(opened[0])
    bgr = _to_bgr(opened.pop())  # no reference kept here: the Pillow image is freed during conversion
    return Scan(image=bgr, dpi=resolved, dpi_source=source, colour_halved=halved)


def _colour_halved(img: Image.Image) -> bool:
    """Whether a JPEG keeps its colour (chroma) at a lower resolution than its brightness (4:2:2, 4:2:0)."""
    if img.format not in ("JPEG", "MPO") or img.mode != "RGB":
        return False
    return JpegImagePlugin.get_sampling(img) > 0


def check_image(data: bytes) -> tuple[str, int, int]:
    """Decode PNG/JPEG/TIFF bytes under the same limits as load_scan and keep nothing: (format, width, height).

    For checking an upload when it arrives. Raises UnusableImageError: 'empty_file', 'file_too_large',
    'not_an_image', 'unsupported_format', 'image_too_large'.
    """
    if not data:
        raise UnusableImageError("empty_file")
    if len(data) > MAX_BYTES:
        raise UnusableImageError("file_too_large")
    img = _open(data)
    try:
        return ("JPEG" if img.format == "MPO" else img.format), img.width, img.height
    finally:
        img.close()


def _open(data: bytes) -> Image.Image:
    """Open the bytes with Pillow and check format and pixel count; raises UnusableImageError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise UnusableImageError("image_too_large", _TOO_LARGE_MESSAGE) from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise UnusableImageError("not_an_image") from exc
    if img.format not in _FORMATS:
        raise UnusableImageError("unsupported_format")
    if getattr(img, "is_animated", False) and img.format != "TIFF":
        raise UnusableImageError("unsupported_format")
    if img.width * img.height > MAX_PIXELS:
        raise UnusableImageError("image_too_large", _TOO_LARGE_MESSAGE)
    try:
        img.seek(0)
        img.load()
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise UnusableImageError("not_an_image") from exc
    return img


def _file_dpi(img: Image.Image) -> tuple[float, float] | None:
    """The (x, y) resolution stored in the file, or None when absent or zero."""
    raw = img.info.get("dpi")
    if not raw:
        return None
    try:
        x, y = (float(v) for v in raw[:2]) if len(raw) >= 2 else (float(raw[0]),) * 2
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if x <= 0 or y <= 0:
        return None
    return x, y


def _resolve_dpi(
    file_dpi: tuple[float, float] | None, given: float | None, default: float
) -> tuple[float, str]:
    """Pick the resolution to use and its source; raises UnusableImageError('bad_dpi')."""
    if given is not None:
        value, source = float(given), "given"
    elif file_dpi is not None:
        x, y = file_dpi
        if abs(x - y) > 0.02 * max(x, y):
            raise UnusableImageError(
                "bad_dpi", "縦横の解像度が異なる画像には対応していません。dpiを指定してください"
            )
        value, source = x, "file"
    else:
        value, source = float(default), "default"
    value = round(value, 2)
    if not MIN_DPI <= value <= MAX_DPI:
        raise UnusableImageError("bad_dpi")
    return value, source


def _to_bgr(img: Image.Image) -> np.ndarray:
    """Convert any Pillow mode to a contiguous BGR uint8 array (alpha composited on white)."""
    with contextlib.suppress(OSError, ValueError, SyntaxError):  # broken EXIF: keep the pixels as they are
        if img.getexif().get(_EXIF_ORIENTATION, 1) not in (0, 1):
            img = ImageOps.exif_transpose(img)
    if img.mode.startswith("I;16") or img.mode in ("I", "F"):
        img = Image.fromarray(_to_uint8(np.asarray(img)), "L")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    if img.mode != "RGB":
        img = img.convert("RGB")
    rgb = np.asarray(img)
    del img  # the Pillow pixels are freed here: at most three copies of the pixels exist at once
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def _to_uint8(arr: np.ndarray) -> np.ndarray:
    """8-bit copy of 16/32-bit integer or float grey pixels (16-bit scaled down, others clipped)."""
    if arr.dtype.kind == "f":
        top = 65535.0 if arr.size and float(arr.max()) > 255.0 else 255.0
        return np.clip(arr * (255.0 / top), 0, 255).astype(np.uint8)
    if arr.dtype == np.uint16 or (arr.size and int(arr.max()) > 255):
        return (np.clip(arr, 0, 65535) >> 8).astype(np.uint8)
    return np.clip(arr, 0, 255).astype(np.uint8)
