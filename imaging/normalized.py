"""Measuring an impression that is already normalised (normalize.py's RGBA PNG: the ink in the alpha channel on a
transparent background) without looking for red ink on paper again.

A registry brought in from another system (issue 17) arrives as normalised impressions, 100,000 at a time; the
scan-oriented measure_impression costs tens of milliseconds each, this a few. The size rule is the same: the side
of the smallest enclosing square in any orientation (geometry.min_square_side) against the 8–25 mm limits.
"""

from __future__ import annotations

import numpy as np

from .geometry import classify_shape, min_square_side, oriented_size, polygon_area
from .ink import DETECT_STRENGTH
from .issues import make_issue
from .locate import hull_points
from .measure import Measurement

__all__ = ["TRANSPARENT_SHARE", "looks_normalized", "measure_alpha"]

TRANSPARENT_SHARE = 0.2  # at least this share of fully transparent pixels: a cut-out impression, not a scan


def looks_normalized(alpha: np.ndarray) -> bool:
    """Whether an RGBA image's alpha (uint8) is a cut-out impression rather than an opaque scan."""
    return alpha.size > 0 and float(np.count_nonzero(alpha == 0)) / alpha.size >= TRANSPARENT_SHARE


def measure_alpha(alpha: np.ndarray, dpi: float, min_mm: float = 8.0, max_mm: float = 25.0) -> Measurement:
    """Measure the impression an alpha channel (uint8, ink = opaque) holds at `dpi` (never raises)."""
    px_per_mm = dpi / 25.4
    mask = alpha >= int(round(DETECT_STRENGTH * 255))
    if not mask.any():
        issue = make_issue("no_impression")
        return Measurement(False, 0.0, 0.0, 0.0, "none", 0.0, False, False, False, (), (issue,), (0, 0, 0, 0), dpi)
    hull = hull_points(mask)
    w_px, h_px, _ = oriented_size(hull)
    square_mm = min_square_side(hull) / px_per_mm
    shape = classify_shape(hull, w_px, h_px)
    coverage = min(1.0, float(mask.sum()) / max(1.0, polygon_area(hull)))
    too_small, too_large = square_mm <= min_mm, square_mm > max_mm
    refusals = tuple([make_issue("too_small", min_mm=min_mm)] * too_small + [make_issue("too_large", max_mm=max_mm)]
                     * too_large)
    ys, xs = np.nonzero(mask)
    bbox = (int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1))
    return Measurement(True, w_px / px_per_mm, h_px / px_per_mm, square_mm, shape, coverage, too_small, too_large,
                       not refusals, (), refusals, bbox, dpi)
