"""重ね合わせ picture of two impressions: a in red, b (aligned as compared) in blue, overlap dark."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from .compare import Comparison, check_scale, decode_strength, rotation_matrix

__all__ = ["overlay_png"]

A_RGB = np.array([220, 30, 30], np.float32) / 255.0
B_RGB = np.array([30, 70, 220], np.float32) / 255.0
MARGIN_MM = 1.0


def overlay_png(
    a_png: bytes, a_mm_per_px: float, b_png: bytes, b_mm_per_px: float, comparison: Comparison
) -> bytes:
    """RGB PNG at a's scale on white: a's ink red, b's ink blue placed by the comparison, both inks dark.

    Raises UnusableImageError('not_an_image') or ImagingError('bad_scale').
    """
    check_scale(a_mm_per_px)
    check_scale(b_mm_per_px)
    a = _relative(decode_strength(a_png))
    b = _relative(decode_strength(b_png))
    scale = b_mm_per_px / a_mm_per_px
    size = (max(1, int(round(b.shape[1] * scale))), max(1, int(round(b.shape[0] * scale))))
    b = cv2.resize(b, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    a_centre = np.array([(a.shape[1] - 1) / 2, (a.shape[0] - 1) / 2])
    b_centre = np.array([(b.shape[1] - 1) / 2, (b.shape[0] - 1) / 2])
    target = a_centre + np.array([comparison.dx_mm, comparison.dy_mm]) / a_mm_per_px
    matrix = rotation_matrix(comparison.angle_deg, b_centre, target)
    (x0, y0), (x1, y1) = _union_box(a, b, matrix)
    margin = int(round(MARGIN_MM / a_mm_per_px))
    ox, oy = margin - x0, margin - y0
    width, height = x1 - x0 + 2 * margin, y1 - y0 + 2 * margin
    matrix[:, 2] += (ox, oy)
    b_layer = cv2.warpAffine(b, matrix, (width, height), flags=cv2.INTER_LINEAR)
    a_layer = np.zeros((height, width), np.float32)
    a_layer[oy : oy + a.shape[0], ox : ox + a.shape[1]] = a
    rgb = (1.0 - a_layer[..., None] * (1.0 - A_RGB)) * (1.0 - b_layer[..., None] * (1.0 - B_RGB))
    buf = io.BytesIO()
    Image.fromarray(np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8), "RGB").save(buf, format="PNG")
    return buf.getvalue()


def _relative(strength: np.ndarray) -> np.ndarray:
    """Ink strength scaled so that the impression's typical strong ink is 1 (faint and strong look alike)."""
    inked = strength[strength > 0.05]
    top = float(np.percentile(inked, 95)) if inked.size else 1.0
    return np.clip(strength / max(top, 0.05), 0.0, 1.0).astype(np.float32)


def _union_box(a: np.ndarray, b: np.ndarray, matrix: np.ndarray) -> tuple[tuple[int, int], tuple[int, int]]:
    """Integer bounding box (min, max corners) of a's ink and b's ink moved by `matrix`."""
    a_pts = _ink_hull(a)
    b_pts = _ink_hull(b) @ matrix[:, :2].T + matrix[:, 2]
    pts = np.concatenate([a_pts, b_pts])
    x0, y0 = np.floor(pts.min(axis=0)).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int) + 1
    return (int(x0), int(y0)), (int(x1), int(y1))


def _ink_hull(strength: np.ndarray) -> np.ndarray:
    """Convex hull points (K×2 float) of the inked pixels, or the image corners when there is no ink."""
    points = cv2.findNonZero((strength > 0.02).astype(np.uint8))
    if points is None:
        h, w = strength.shape
        return np.array([[0, 0], [w - 1, h - 1]], np.float64)
    return cv2.convexHull(points).reshape(-1, 2).astype(np.float64)
