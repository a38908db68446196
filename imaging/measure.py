"""Measuring the one seal impression on a scan: true size in mm, shape, ink quality and acceptability."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from .geometry import classify_shape, min_square_side, oriented_size, polygon_area
from .grouping import ring_coverage, ring_fill
from .ink import DETECT_STRENGTH, ink_strength, is_core_red_hue, other_colour_mask
from .issues import Issue, make_issue
from .locate import InkGroup, InkMap, find_ink_groups, group_mask, hull_points
from .scan import Scan

__all__ = ["Measurement", "measure_impression", "measurement_to_dict"]

FAINT_MEDIAN_STRENGTH = 0.35
COMPARABLE_RATIO = 0.6  # a second impression at least this big (square side) is a refusal, not a warning
OUTLINE_BAND_MM = 0.6
OUTLINE_MIN_COVERAGE = 0.75  # below this the impression has no outline (e.g. square seal of characters only)
OUTLINE_MAX_GAP_MM = 1.0
FRAME_MIN_FILL = 0.8  # a frame's ring fills this share of the band inside the outline (bench: ≥ 0.84; characters ≤ 0.95)
EDGE_DISAGREEMENT_MM = 0.2  # colour and brightness edges further apart than the size tolerance: no size
MAX_ASPECT = 5.0  # a longer, thinner group of ink is not one seal's impression
EDGE_LEVEL = 0.5  # an edge is where the ink falls to half of the nearby stroke's ink
EDGE_NEIGHBOURHOOD_MM = 0.5
EDGE_FLOOR = 0.35  # a "stroke" fainter than this share of the typical ink is a compression halo, not a stroke
LOCATE_MIN_PIXELS = 600_000  # larger scans are located on a downscaled copy first
LOCATE_PX_PER_MM = 4.0
LOCATE_PAD_MM = 3.0


@dataclass(frozen=True)
class Measurement:
    """Result of measuring an impression; sizes in mm at the scan's dpi, issues in Japanese."""

    found: bool
    width_mm: float
    height_mm: float
    square_mm: float
    shape: str
    ink_coverage: float
    too_small: bool
    too_large: bool
    acceptable: bool
    warnings: tuple[Issue, ...]
    refusal_reasons: tuple[Issue, ...]
    bbox_px: tuple[int, int, int, int]
    dpi: float
    size_known: bool = True  # False: the impression's extent is unsure, sizes are not given (0)


def measure_impression(scan: Scan, min_mm: float = 8.0, max_mm: float = 25.0) -> Measurement:
    """Find the red impression on the scan and measure it against the min/max square limits (never raises)."""
    px_per_mm = scan.dpi / 25.4
    located = _locate(scan.image, px_per_mm)
    if located is None:
        return _not_found(scan, px_per_mm)
    region, ink, offset, others, unsure = located
    primary = ink.groups[0]
    pad = int(round(OUTLINE_BAND_MM * px_per_mm)) + 3
    mask, origin = group_mask(ink, primary, pad)
    hull = hull_points(_edge_mask(ink, mask, origin, px_per_mm))
    if not unsure and scan.colour_halved:
        hull = _halved_colour_hull(region, ink, mask, origin, hull, px_per_mm)
        if hull is None:
            return _unsure_extent(scan, primary, offset, "unclear_edge")
    w_px, h_px, _ = oriented_size(hull)
    if unsure or max(w_px, h_px) > MAX_ASPECT * min(w_px, h_px):
        return _unsure_extent(scan, primary, offset, "unclear_extent")
    square_mm = min_square_side(hull) / px_per_mm
    shape = classify_shape(hull, w_px, h_px)
    hull_area = polygon_area(hull) + cv2.arcLength(hull.astype(np.float32), True) / 2.0 + 1.0
    coverage = min(1.0, float(mask.sum()) / hull_area)

    warnings = _quality_warnings(region, ink, mask, origin, hull, shape, px_per_mm)
    refusals: list[Issue] = []
    too_small, too_large = square_mm <= min_mm, square_mm > max_mm
    if too_small:
        refusals.append(make_issue("too_small", min_mm=min_mm))
    if too_large:
        refusals.append(make_issue("too_large", max_mm=max_mm))
    _check_others(others, square_mm, warnings, refusals)
    x, y, w, h = primary.bbox
    return Measurement(
        found=True,
        width_mm=w_px / px_per_mm,
        height_mm=h_px / px_per_mm,
        square_mm=square_mm,
        shape=shape,
        ink_coverage=coverage,
        too_small=too_small,
        too_large=too_large,
        acceptable=not refusals,
        warnings=tuple(warnings),
        refusal_reasons=tuple(refusals),
        bbox_px=(x + offset[0], y + offset[1], w, h),
        dpi=scan.dpi,
    )


def _locate(
    image: np.ndarray, px_per_mm: float
) -> tuple[np.ndarray, InkMap, tuple[int, int], list[float], bool] | None:
    """The image region holding the largest impression, its full-resolution ink map, the region's (x, y)
    offset in the scan, the square sides (mm) of the other candidates and whether the impression's extent
    is unsure; None when there is no red ink.

    Large scans are searched on a downscaled copy first, then only the impression is analysed at full
    resolution.
    """
    factor = _locate_factor(image.shape, px_per_mm)
    if factor == 1:
        ink = find_ink_groups(ink_strength(image), px_per_mm)
        if not ink.groups:
            return None
        return image, ink, (0, 0), [_group_square_mm(ink, g, px_per_mm) for g in ink.groups[1:]], ink.unsure
    height, width = image.shape[:2]
    small = cv2.resize(image, (width // factor, height // factor), interpolation=cv2.INTER_AREA)
    low = find_ink_groups(ink_strength(small), px_per_mm / factor)
    if not low.groups:
        return None
    others = [_group_square_mm(low, g, px_per_mm / factor) for g in low.groups[1:]]
    x, y, w, h = low.groups[0].bbox
    pad = int(round(LOCATE_PAD_MM * px_per_mm)) + factor
    x0, y0 = max(0, x * factor - pad), max(0, y * factor - pad)
    x1, y1 = min(width, (x + w) * factor + pad), min(height, (y + h) * factor + pad)
    region = image[y0:y1, x0:x1]
    ink = find_ink_groups(ink_strength(region), px_per_mm)
    if not ink.groups:
        return None
    return region, ink, (x0, y0), others, low.unsure or ink.unsure


def _locate_factor(shape: tuple[int, ...], px_per_mm: float) -> int:
    """Downscale factor for locating: 1 for small scans, else down to about LOCATE_PX_PER_MM."""
    if shape[0] * shape[1] <= LOCATE_MIN_PIXELS:
        return 1
    return max(1, int(px_per_mm / LOCATE_PX_PER_MM))


def _edge_mask(ink: InkMap, mask: np.ndarray, origin: tuple[int, int], px_per_mm: float,
               darkness: np.ndarray | None = None) -> np.ndarray:
    """The group's pixels at least half as strong as the ink of the stroke they belong to: edges at 50 %
    coverage, whether the stroke is strongly inked or pale (a side pressed lightly, a thin dry stroke). Ink
    fainter than half of EDGE_FLOOR × the typical ink is never an edge (a JPEG's colour halo).

    With `darkness` (a JPEG whose colour is stored at half resolution) the strength of each pixel is how much
    it darkens the paper: the colour of a thin stroke's tip is smeared and paled, its brightness is not, and
    a frameless seal's size is often set by such tips."""
    values = _crop(ink.strength, origin, mask.shape) if darkness is None else darkness
    strength = np.where(mask, values, 0.0).astype(np.float32)
    typical = float(np.percentile(strength[mask], 90))
    radius = max(1, int(round(EDGE_NEIGHBOURHOOD_MM * px_per_mm)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    stroke = np.clip(cv2.dilate(strength, kernel), EDGE_FLOOR * typical, typical)
    floor = DETECT_STRENGTH if darkness is None else np.finfo(np.float32).tiny
    edge = mask & (strength >= np.maximum(floor, EDGE_LEVEL * stroke))
    return edge if edge.any() else mask


def _halved_colour_hull(region: np.ndarray, ink: InkMap, mask: np.ndarray, origin: tuple[int, int],
                        colour_hull: np.ndarray, px_per_mm: float) -> np.ndarray | None:
    """The outline of an impression in a JPEG whose colour is stored at half resolution (4:2:0), or None when
    its edges cannot be found with confidence.

    There the colour of a thin stroke's tip is smeared and paled, its brightness is not, and a seal without a
    frame has its size set by such tips: it is measured on brightness. A frame's thick ring keeps its colour,
    and on brightness it comes out too large (by up to 0.22 mm on the bench): a frame is measured on colour.
    Characters that reach the outline almost all round (a frameless "KIM") look like a broken frame to the
    ring's directions but leave much of its band paper; if the two edges of such an impression are further
    apart than the size tolerance, neither is trusted."""
    coverage = ring_coverage(mask, colour_hull, px_per_mm)
    if coverage >= OUTLINE_MIN_COVERAGE and ring_fill(mask, colour_hull, px_per_mm) >= FRAME_MIN_FILL:
        return colour_hull
    dark_hull = hull_points(_edge_mask(ink, mask, origin, px_per_mm, _darkness(region, mask, origin)))
    if coverage < OUTLINE_MIN_COVERAGE:
        return dark_hull
    apart_mm = abs(min_square_side(dark_hull) - min_square_side(colour_hull)) / px_per_mm
    return dark_hull if apart_mm <= EDGE_DISAGREEMENT_MM else None


def _darkness(region: np.ndarray, mask: np.ndarray, origin: tuple[int, int]) -> np.ndarray:
    """How much each pixel of the group's crop darkens the paper (grey levels, 0 on paper): the paper is
    the median brightness of the crop's pixels outside the group's ink."""
    grey = cv2.cvtColor(np.ascontiguousarray(region[..., :3]), cv2.COLOR_BGR2GRAY).astype(np.float32)
    in_image = _crop(np.ones(grey.shape, np.uint8), origin, mask.shape) > 0
    crop = _crop(grey, origin, mask.shape)
    paper_pixels = crop[in_image & ~mask]
    paper = float(np.median(paper_pixels)) if paper_pixels.size else 255.0
    return np.clip(paper - crop, 0.0, None)


def _crop(image: np.ndarray, origin: tuple[int, int], shape: tuple[int, ...]) -> np.ndarray:
    """Crop of `image` at `origin` (x, y, may be negative) with the given shape, zero outside the image."""
    x0, y0 = origin
    out = np.zeros(shape[:2], image.dtype)
    sx0, sy0 = max(0, x0), max(0, y0)
    sx1, sy1 = min(image.shape[1], x0 + shape[1]), min(image.shape[0], y0 + shape[0])
    out[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = image[sy0:sy1, sx0:sx1]
    return out


def _not_found(scan: Scan, px_per_mm: float) -> Measurement:
    """Measurement for a scan without any red impression (warns when a non-red stamp seems present)."""
    warnings = []
    if int(other_colour_mask(scan.image).sum()) >= (3.0 * px_per_mm) ** 2:
        warnings.append(make_issue("not_red"))
    return Measurement(
        found=False,
        width_mm=0.0,
        height_mm=0.0,
        square_mm=0.0,
        shape="none",
        ink_coverage=0.0,
        too_small=False,
        too_large=False,
        acceptable=False,
        warnings=tuple(warnings),
        refusal_reasons=(make_issue("no_impression"),),
        bbox_px=(0, 0, 0, 0),
        dpi=scan.dpi,
    )


def _quality_warnings(
    image: np.ndarray,
    ink: InkMap,
    mask: np.ndarray,
    origin: tuple[int, int],
    hull: np.ndarray,
    shape: str,
    px_per_mm: float,
) -> list[Issue]:
    """'faint', 'broken_outline' and 'not_red' warnings for the primary impression."""
    ys, xs = np.nonzero(mask)
    ys, xs = ys + origin[1], xs + origin[0]
    warnings = []
    if float(np.median(ink.strength[ys, xs])) < FAINT_MEDIAN_STRENGTH:
        warnings.append(make_issue("faint"))
    if shape in ("round", "oval", "square", "rectangle"):
        gap = _outline_gap_mm(mask, hull, px_per_mm)
        if gap is not None and gap >= OUTLINE_MAX_GAP_MM:
            warnings.append(make_issue("broken_outline"))
    step = max(1, len(ys) // 20000)
    if not is_core_red_hue(image[ys[::step], xs[::step]]):
        warnings.append(make_issue("not_red"))
    return warnings


def _outline_gap_mm(mask: np.ndarray, hull: np.ndarray, px_per_mm: float) -> float | None:
    """Total length (mm) of gaps in the impression's outer ring, or None when it has no outline."""
    coverage = ring_coverage(mask, hull, px_per_mm)
    if coverage < OUTLINE_MIN_COVERAGE:
        return None
    perimeter_mm = cv2.arcLength(hull.astype(np.float32), True) / px_per_mm
    return (1.0 - coverage) * perimeter_mm


def _unsure_extent(scan: Scan, primary: InkGroup, offset: tuple[int, int], code: str) -> Measurement:
    """Measurement refused because the impression's parts cannot be grouped, or its edges found, with
    confidence: no size, the reason `code`."""
    x, y, w, h = primary.bbox
    return Measurement(
        found=True,
        width_mm=0.0,
        height_mm=0.0,
        square_mm=0.0,
        shape="other",
        ink_coverage=0.0,
        too_small=False,
        too_large=False,
        acceptable=False,
        warnings=(),
        refusal_reasons=(make_issue(code),),
        bbox_px=(x + offset[0], y + offset[1], w, h),
        dpi=scan.dpi,
        size_known=False,
    )


def _check_others(others: list[float], square_mm: float, warnings: list[Issue], refusals: list[Issue]) -> None:
    """Refuse when a second comparable impression exists; warn when only a smaller red mark does."""
    if any(size >= COMPARABLE_RATIO * square_mm for size in others):
        refusals.append(make_issue("multiple_impressions"))
    elif others:
        warnings.append(make_issue("multiple_impressions", "multiple_impressions_minor"))


def _group_square_mm(ink: InkMap, group: InkGroup, px_per_mm: float) -> float:
    """Minimal enclosing square side (mm) of another candidate group."""
    mask, _ = group_mask(ink, group)
    return min_square_side(hull_points(mask)) / px_per_mm


def measurement_to_dict(m: Measurement) -> dict[str, Any]:
    """JSON-ready dict of a Measurement (issues as {code, message}, lengths rounded to 0.01 mm)."""
    return {
        "found": m.found,
        "size_known": m.size_known,
        "width_mm": round(m.width_mm, 2) if m.size_known else None,
        "height_mm": round(m.height_mm, 2) if m.size_known else None,
        "square_mm": round(m.square_mm, 2) if m.size_known else None,
        "shape": m.shape,
        "ink_coverage": round(m.ink_coverage, 3),
        "too_small": m.too_small,
        "too_large": m.too_large,
        "acceptable": m.acceptable,
        "warnings": [{"code": i.code, "message": i.message} for i in m.warnings],
        "refusal_reasons": [{"code": i.code, "message": i.message} for i in m.refusal_reasons],
        "bbox_px": list(m.bbox_px),
        "dpi": m.dpi,
    }
