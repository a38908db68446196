"""Cropping a measured impression onto a transparent background, in one ink colour, at known true size."""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from .errors import ImagingError
from .ink import DETECT_STRENGTH, ink_strength
from .locate import MIN_COMPONENT_MM2
from .measure import Measurement
from .scan import Scan

__all__ = ["NormalizedImpression", "normalize_impression", "encode_rgba"]

MARGIN_MM = 1.0


@dataclass(frozen=True)
class NormalizedImpression:
    """RGBA PNG of the impression (alpha = ink strength) and its scale, for printing at true size."""

    png: bytes
    mm_per_px: float
    width_px: int
    height_px: int


def normalize_impression(
    scan: Scan, measurement: Measurement, colour: tuple[int, int, int] = (200, 30, 30)
) -> NormalizedImpression:
    """Crop the measured impression with a small margin onto transparency, ink drawn in `colour` (RGB).

    Raises ImagingError('no_impression') when the measurement found nothing.
    """
    if not measurement.found or measurement.bbox_px[2] <= 0 or measurement.bbox_px[3] <= 0:
        raise ImagingError("no_impression")
    px_per_mm = scan.dpi / 25.4
    x0, y0, x1, y1 = _crop_box(scan.image.shape, measurement.bbox_px, int(round(MARGIN_MM * px_per_mm)))
    strength = ink_strength(scan.image[y0:y1, x0:x1])
    alpha = strength * _impression_region(strength, measurement.bbox_px, (x0, y0), px_per_mm)
    png = encode_rgba(alpha, colour)
    return NormalizedImpression(png=png, mm_per_px=25.4 / scan.dpi, width_px=x1 - x0, height_px=y1 - y0)


def _crop_box(
    shape: tuple[int, ...], bbox: tuple[int, int, int, int], margin: int
) -> tuple[int, int, int, int]:
    """The bbox grown by `margin` px on every side and clipped to the image (x0, y0, x1, y1)."""
    x, y, w, h = bbox
    return (
        max(0, x - margin),
        max(0, y - margin),
        min(shape[1], x + w + margin),
        min(shape[0], y + h + margin),
    )


def _impression_region(
    strength: np.ndarray, bbox: tuple[int, int, int, int], origin: tuple[int, int], px_per_mm: float
) -> np.ndarray:
    """Float mask (0/1) of ink inside the impression's bbox, without specks, dilated to keep soft edges."""
    mask = (strength >= DETECT_STRENGTH).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] < MIN_COMPONENT_MM2 * px_per_mm**2
    small[0] = True
    keep = (~small[labels]).astype(np.uint8)
    inside = np.zeros_like(keep)
    x, y, w, h = bbox
    inside[y - origin[1] : y - origin[1] + h, x - origin[0] : x - origin[0] + w] = 1
    region = cv2.dilate(keep, np.ones((3, 3), np.uint8)) & cv2.dilate(inside, np.ones((5, 5), np.uint8))
    return region.astype(np.float32)


def encode_rgba(alpha: np.ndarray, colour: tuple[int, int, int]) -> bytes:
    """PNG bytes of a one-colour RGBA image whose alpha is `alpha` (float 0..1)."""
    h, w = alpha.shape
    rgba = np.empty((h, w, 4), np.uint8)
    rgba[..., :3] = np.array(colour, np.uint8)
    rgba[..., 3] = np.clip(alpha * 255.0 + 0.5, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG")
    return buf.getvalue()
