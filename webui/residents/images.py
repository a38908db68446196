"""Impressions at true size: the CSS box (in mm) of a normalised impression image, from its pixels and mm/px."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from registry.blobs.store import get_blob
from registry.errors import BlobNotFound
from webui.uploads import sniff_media_type

__all__ = ["TrueSize", "image_size", "true_size"]

@dataclass(frozen=True)
class TrueSize:
    """An image blob and the size it must be drawn at (CSS mm) to show the impression at its real size."""

    sha: str
    width_px: int
    height_px: int
    mm_per_px: float

    @property
    def width_mm(self) -> float:
        return round(self.width_px * self.mm_per_px, 2)

    @property
    def height_mm(self) -> float:
        return round(self.height_px * self.mm_per_px, 2)


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels of a PNG (read from its header) or any image Pillow opens; None otherwise."""
    if sniff_media_type(data) == "image/png" and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def true_size(session: Session, sha: str | None, mm_per_px: float | None) -> TrueSize | None:
    """The true-size box of an impression blob; None when the blob or its scale is unknown."""
    if not sha or not mm_per_px:
        return None
    try:
        blob = get_blob(session, sha)
    except BlobNotFound:
        return None
    size = image_size(blob.data)
    return TrueSize(sha, size[0], size[1], float(mm_per_px)) if size else None
