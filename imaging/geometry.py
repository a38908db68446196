"""Geometry of a convex hull: enclosing squares and rectangles over rotations, and shape classification."""

from __future__ import annotations

import numpy as np

__all__ = ["rotated_extents", "min_square_side", "oriented_size", "classify_shape", "polygon_area"]


def rotated_extents(points: np.ndarray, angles_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Width and height of the axis-aligned box of `points` (N×2, pixel centres) rotated by each angle.

    One pixel is added to each extent so that the result covers whole pixels, not pixel centres.
    """
    rad = np.deg2rad(np.asarray(angles_deg, dtype=np.float64))
    cos, sin = np.cos(rad)[:, None], np.sin(rad)[:, None]
    x, y = points[:, 0][None, :], points[:, 1][None, :]
    rx = x * cos - y * sin
    ry = x * sin + y * cos
    return np.ptp(rx, axis=1) + 1.0, np.ptp(ry, axis=1) + 1.0


def min_square_side(points: np.ndarray) -> float:
    """Side (px) of the smallest square, in any orientation, that contains all points.

    Coarse search over 0..89° in 1° steps, refined to 0.05° around the best angle.
    """
    coarse = np.arange(0.0, 90.0, 1.0)
    w, h = rotated_extents(points, coarse)
    best = float(coarse[int(np.argmin(np.maximum(w, h)))])
    fine = np.arange(best - 1.0, best + 1.0001, 0.05)
    w, h = rotated_extents(points, fine)
    return float(np.min(np.maximum(w, h)))


def oriented_size(points: np.ndarray) -> tuple[float, float, float]:
    """Width, height (px) and angle (deg) of the minimal-area enclosing rectangle, angles near 0 preferred."""
    angles = np.arange(-45.0, 45.0, 0.25)
    w, h = rotated_extents(points, angles)
    area = w * h
    near_best = np.flatnonzero(area <= area.min() * 1.005)
    pick = int(near_best[np.argmin(np.abs(angles[near_best]))])
    return float(w[pick]), float(h[pick]), float(angles[pick])


def polygon_area(hull: np.ndarray) -> float:
    """Area of a closed polygon (N×2) by the shoelace formula."""
    x, y = hull[:, 0].astype(np.float64), hull[:, 1].astype(np.float64)
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2.0)


def classify_shape(hull: np.ndarray, width_px: float, height_px: float) -> str:
    """'round', 'oval', 'square', 'rectangle' or 'other' from how the hull fills its enclosing rectangle."""
    if width_px < 2 or height_px < 2:
        return "other"
    fill = polygon_area(hull) / ((width_px - 1.0) * (height_px - 1.0))
    aspect = max(width_px, height_px) / min(width_px, height_px)
    elongated = aspect > 1.12
    if fill >= 0.9:
        return "rectangle" if elongated else "square"
    if 0.72 <= fill <= 0.86:
        return "oval" if elongated else "round"
    return "other"
