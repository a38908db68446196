"""The scan with the detected impression marked: outline, enclosing square, bounding box and measured size."""

from __future__ import annotations

import math
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .measure import Measurement
from .samples import FONT_GOTHIC
from .scan import Scan

__all__ = ["annotate_scan"]

MAX_SIDE_PX = 1200
OUTLINE_BGR = (200, 120, 0)  # blue: convex outline of the red ink
SQUARE_BGR = (60, 160, 0)  # green: smallest enclosing square (decides the 8/25 mm rule)
BOX_BGR = (150, 150, 150)  # grey: axis-aligned bounding box
TEXT_BGR = (40, 40, 40)
_PAD_MM = 0.8


def annotate_scan(scan: Scan, measurement: Measurement) -> bytes:
    """PNG of the scan (long side at most 1200 px) with the impression's outline, square, bbox and size drawn.

    When nothing was found the picture is the downscaled scan with a 'no impression' note. Never raises for a
    decoded scan.
    """
    image = scan.image
    scale = min(1.0, MAX_SIDE_PX / max(image.shape[:2]))
    canvas = _downscale(image, scale)
    x, y, w, h = measurement.bbox_px
    if not measurement.found or w <= 0 or h <= 0:
        _label(canvas, ["印影なし"], (8, 8))
        return _encode(canvas)
    px_per_mm = scan.dpi / 25.4
    hull = _ink_hull(image, measurement.bbox_px, int(round(_PAD_MM * px_per_mm)))
    cv2.rectangle(canvas, _pt(x, y, scale), _pt(x + w, y + h, scale), BOX_BGR, 1, cv2.LINE_AA)
    if hull is not None:
        cv2.polylines(canvas, [_scaled(hull, scale)], True, OUTLINE_BGR, _thickness(canvas), cv2.LINE_AA)
    if hull is not None and measurement.size_known:
        square = _enclosing_square(hull, measurement.square_mm * px_per_mm)
        cv2.polylines(canvas, [_scaled(square, scale)], True, SQUARE_BGR, _thickness(canvas), cv2.LINE_AA)
    lines = [f"{measurement.square_mm:.1f} mm 四方", f"幅 {measurement.width_mm:.1f} × 高さ {measurement.height_mm:.1f} mm"]
    if not measurement.size_known:  # the parts could not be grouped, or the edges found: no size is claimed
        edge = any(r.code == "unclear_edge" for r in measurement.refusal_reasons)
        lines = ["輪郭が不明瞭" if edge else "範囲が不明確", "大きさ不明"]
    _label(canvas, lines, _label_origin(canvas, (x, y, w, h), scale))
    return _encode(canvas)


def _downscale(image: np.ndarray, scale: float) -> np.ndarray:
    if scale >= 1.0:
        return image.copy()
    size = (max(1, int(round(image.shape[1] * scale))), max(1, int(round(image.shape[0] * scale))))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def _ink_hull(image: np.ndarray, bbox: tuple[int, int, int, int], pad: int) -> np.ndarray | None:
    """Convex hull (full-scan px, float) of the reddish pixels inside the padded bbox, or None."""
    x, y, w, h = bbox
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(image.shape[1], x + w + pad), min(image.shape[0], y + h + pad)
    crop = image[y0:y1, x0:x1].astype(np.int16)
    b, g, r = crop[..., 0], crop[..., 1], crop[..., 2]
    redness = r - np.maximum(g, b)
    mask = (redness > max(12, int(0.25 * redness.max()))).astype(np.uint8)
    points = cv2.findNonZero(mask)
    if points is None or len(points) < 3:
        return None
    hull = cv2.convexHull(points).reshape(-1, 2).astype(np.float32)
    return hull + np.array([x0, y0], np.float32)


def _enclosing_square(hull: np.ndarray, side_px: float) -> np.ndarray:
    """The square of the measured side around the hull, turned to the angle where the hull's square is smallest."""
    best_angle, best_side = 0.0, math.inf
    for step in sorted(range(-45, 45), key=abs):  # near-ties keep the upright square
        theta = math.radians(step)
        c, s = math.cos(theta), math.sin(theta)
        u, v = hull[:, 0] * c + hull[:, 1] * s, -hull[:, 0] * s + hull[:, 1] * c
        side = max(float(u.max() - u.min()), float(v.max() - v.min()))
        if side < best_side - 1.0:
            best_angle, best_side = theta, side
    c, s = math.cos(best_angle), math.sin(best_angle)
    u, v = hull[:, 0] * c + hull[:, 1] * s, -hull[:, 0] * s + hull[:, 1] * c
    cu, cv_ = (float(u.max() + u.min())) / 2, (float(v.max() + v.min())) / 2
    half = (side_px if side_px > 0 else best_side) / 2
    corners = [(cu - half, cv_ - half), (cu + half, cv_ - half), (cu + half, cv_ + half), (cu - half, cv_ + half)]
    return np.array([(a * c - b * s, a * s + b * c) for a, b in corners], np.float32)


def _scaled(points: np.ndarray, scale: float) -> np.ndarray:
    return np.round(points * scale).astype(np.int32).reshape(-1, 1, 2)


def _pt(x: float, y: float, scale: float) -> tuple[int, int]:
    return int(round(x * scale)), int(round(y * scale))


def _thickness(canvas: np.ndarray) -> int:
    return max(2, int(round(max(canvas.shape[:2]) / 400)))


def _font_scale(canvas: np.ndarray) -> float:
    return max(0.5, max(canvas.shape[:2]) / 1400)


def _label_origin(canvas: np.ndarray, bbox: tuple[int, int, int, int], scale: float) -> tuple[int, int]:
    """Top-left of the text block: right of the impression when there is room, else below or above it."""
    x, y, w, h = (int(round(v * scale)) for v in bbox)
    block_w = int(220 * _font_scale(canvas))
    if x + w + 12 + block_w <= canvas.shape[1]:
        return x + w + 12, max(4, y)
    if y + h + 70 * _font_scale(canvas) <= canvas.shape[0]:
        return max(4, x), y + h + 8
    return max(4, x), max(4, y - int(70 * _font_scale(canvas)))


def _label(canvas: np.ndarray, lines: list[str], origin: tuple[int, int]) -> None:
    """White-backed text lines at origin (top-left), in Japanese (the embedded IPAex font; OpenCV's fonts are
    ASCII only)."""
    font = _font(max(12, int(round(_font_scale(canvas) * 22))))
    x, y = origin
    image = Image.fromarray(canvas[..., ::-1])
    draw = ImageDraw.Draw(image)
    for text in lines:
        left, top, right, bottom = draw.textbbox((x, y), text, font=font)
        draw.rectangle((left - 3, top - 2, right + 3, bottom + 2), fill=(255, 255, 255))
        draw.text((x, y), text, font=font, fill=TEXT_BGR[::-1])
        y = bottom + 8
    canvas[...] = np.asarray(image)[..., ::-1]


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_GOTHIC, size)


def _encode(canvas: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", canvas)
    if not ok:  # pragma: no cover - cv2 encodes any uint8 BGR image
        raise ValueError("PNG encoding failed")
    return buf.tobytes()
