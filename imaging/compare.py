"""Comparing two normalized impressions (印影照合): best rotation/translation and an overlap score."""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import ImagingError, UnusableImageError
from .ink import ink_strength
from .verdict import VERDICT_LABELS, VERDICTS, Thresholds

__all__ = ["Comparison", "Thresholds", "VERDICTS", "VERDICT_LABELS", "compare_impressions", "check_scale",
           "decode_strength", "rotation_matrix"]

GRID_MAX_MM = 0.1  # common resampling grid: the impression spans about GRID_TARGET_PX, within these bounds
GRID_MIN_MM = 0.05
GRID_TARGET_PX = 200
COARSE_STEP_DEG = 1.0
FINE_STEP_DEG = 0.2
_POLAR_ROWS = 360
MAX_SHIFT_MM = 2.5  # residual translation searched after centroid alignment
WINDOW_MM = 2.0  # neighbourhood in which the ink must agree
WINDOW_PERCENTILE = 5.0
BINARY_LEVEL = 0.5  # ink at half the strength of its own stroke counts (edges at 50 % coverage)
LOCAL_MM = 0.6  # a stroke's own strength: the strongest ink within this distance
LOCAL_FLOOR = 0.35  # … but never below this fraction of the impression's typical strong ink (no noise boost)
LEVEL_SHIFT_MAX = 0.2  # b's binarization level may move this far to match a's ink area (spread, bleeding)
WINDOW_MIN_INK = 0.25  # neighbourhoods with less ink than this fraction of the densest one are not judged
RESOLUTION_BLUR = 1.0  # an impression's blur is taken as this × its pixel size (or the grid's, if coarser)
# The characters' strokes, judged apart from the outline: the same name cut in another typeface (Mincho /
# Gothic) shares the frame and the character boxes, so whole-impression overlap is high; its strokes differ
# in small places (thin horizontals, serifs, sweeps), which only small neighbourhoods inside the frame see.
STROKE_WINDOW_MM = 0.7
STROKE_DEPTH = 0.3  # inside: deeper than this fraction of the deepest point of the ink's convex hull
STROKE_PERCENTILE = 10.0
# Where the two impressions disagree, not only how much (a score near the 同一 bar is not enough on its own):
# - A stroke or dot that one impression has and the other lacks entirely (a near copy: 大田/太田, 王子/玉子) is a
#   compact piece of ink with no ink of the other within a pixel; two stampings of one seal lose or gain ink
#   thinly along edges and in pores. Such a piece larger than UNMATCHED_SHARE of the ink keeps the pair 要確認.
# - Two stampings of one seal differ by ink spread, pressure and paper, which move the edges of the characters
#   and of the rim alike; another cut (typeface, carver) moves the characters' edges only. When the characters'
#   edges sit more than UNEVEN_EDGE_PX further apart than the rim's, 同一 needs UNEVEN_MARGIN more score.
UNMATCHED_SHARE = 0.006
UNEVEN_EDGE_PX = 0.2
UNEVEN_MARGIN = 0.035  # 0.88: the margin rule gives 0.87; a 10 mm 登録/登緑 near copy scores 0.869
MAX_IMPRESSION_MM = 80.0  # larger images are not cropped impressions
_COARSE_CANDIDATES = 4
_CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))


@dataclass(frozen=True)
class Comparison:
    """Similarity score in [0, 1], the three-way verdict, and how b is placed on a.

    `score` is the lower of `overlap` (the whole impression: outline and characters) and `strokes` (the
    characters' strokes inside the outline, in small neighbourhoods): both must agree for 同一.
    `verdict` is 'same' (同一), 'unsure' (要確認) or 'different' (別); `same` is True only for 'same'. A score at
    the 同一 bar is held at 要確認 when the disagreement is of the kind another seal leaves: `unmatched` (the
    largest piece of ink one impression has and the other lacks, as a share of the ink) reaches
    UNMATCHED_SHARE, or `uneven_px` (how much further apart the characters' edges are than the rim's, in grid
    pixels) exceeds UNEVEN_EDGE_PX and the score is less than UNEVEN_MARGIN above the bar.
    b is rotated by −angle_deg about its image centre and its centre moved to a's centre + (dx_mm, dy_mm)
    (x right, y down); angle_deg is b's counter-clockwise rotation relative to a, in (−180, 180].
    """

    score: float
    verdict: str
    angle_deg: float
    dx_mm: float
    dy_mm: float
    thresholds: Thresholds = Thresholds()
    overlap: float = 0.0
    strokes: float = 0.0
    unmatched: float = 0.0
    uneven_px: float = 0.0

    @property
    def same(self) -> bool:
        return self.verdict == "same"

    @property
    def label(self) -> str:
        """The verdict as the clerk reads it: 同一 / 要確認 / 別."""
        return VERDICT_LABELS[self.verdict]

    @property
    def caution(self) -> str | None:
        """Why a score at the 同一 bar is 要確認, as the clerk reads it beside the overlay; None otherwise."""
        if self.verdict != "unsure" or self.score < self.thresholds.same:
            return None
        if self.unmatched >= UNMATCHED_SHARE:
            return "一方の印影にだけある線や点があります（よく似た別の印の可能性）。重ね合わせ画像で確かめてください"
        return (f"文字の輪郭のずれが外枠のずれより大きく（書体や彫りの違いの可能性）、その場合に同一とする類似度 "
                f"{self.thresholds.same + UNEVEN_MARGIN:.3g} に届きません。重ね合わせ画像で確かめてください")


@dataclass(frozen=True, eq=False)
class _Placed:
    """An impression (binarized and as ink strength) on the square comparison canvas."""

    ink: np.ndarray  # uint8 0/1
    strength: np.ndarray  # float32 0..1, in units of the impression's typical strong ink
    centre: np.ndarray  # image centre in canvas px (x, y)
    centroid: np.ndarray  # ink centroid in canvas px (x, y)


def compare_impressions(
    a_png: bytes, a_mm_per_px: float, b_png: bytes, b_mm_per_px: float, thresholds: Thresholds | None = None
) -> Comparison:
    """Align b onto a (rotation + translation to a fraction of a pixel on a 0.05–0.1 mm grid) and score their
    ink overlap, over the whole impression and over the characters' strokes inside the outline (the score is
    the lower one); the verdict also looks at where they disagree (see Comparison).

    Both are first brought to the same sharpness (the sharper scan is blurred to the coarser one's pixel
    size) so that a 200 dpi stamping of a seal does not look thinner-stroked than a 400 dpi one.

    Raises UnusableImageError("not_an_image", "image_too_large"), ImagingError("bad_scale", "no_impression").
    """
    a_str, b_str = _strength(a_png, a_mm_per_px), _strength(b_png, b_mm_per_px)
    extent_mm = max(max(a_str.shape) * a_mm_per_px, max(b_str.shape) * b_mm_per_px)
    grid_mm = float(np.clip(extent_mm / GRID_TARGET_PX, GRID_MIN_MM, GRID_MAX_MM))
    blur_a, blur_b = _matching_blur(a_mm_per_px, b_mm_per_px, grid_mm)
    a_grid = _strength_on_grid(a_str, a_mm_per_px, grid_mm, blur_a)
    b_grid = _strength_on_grid(b_str, b_mm_per_px, grid_mm, blur_b)
    a_ink, b_ink = _binary(a_grid), _binary(b_grid)
    side = _canvas_side(a_ink, b_ink, grid_mm)
    a, b = _place(a_ink, a_grid, side), _place(b_ink, b_grid, side)
    angle, shift = _search(a, b, grid_mm)
    matrix = rotation_matrix(angle, b.centroid, a.centroid + shift)
    b_strength = cv2.warpAffine(b.strength, matrix, (side, side), flags=cv2.INTER_LINEAR)
    a_ink = _close_pores(a.ink)
    b_ink = _close_pores(_binary_matching_area(b_strength, int(a.ink.sum())))
    overlap = round(_score(a_ink, b_ink, grid_mm), 4)
    strokes = round(_stroke_agreement(a_ink, b_ink, grid_mm), 4)
    score = min(overlap, strokes)
    unmatched = round(_largest_unmatched_share(a_ink, b_ink), 4)
    uneven = round(_uneven_edges(a_ink, b_ink), 3)
    linear, offset = matrix[:, :2], matrix[:, 2]
    d = (linear @ b.centre + offset - a.centre) * grid_mm
    angle = ((angle + 180.0) % 360.0) - 180.0
    angle = 180.0 if angle == -180.0 else angle
    thresholds = thresholds or Thresholds()
    return Comparison(
        score=score,
        verdict=_verdict(score, thresholds, unmatched, uneven),
        angle_deg=round(angle, 2),
        dx_mm=round(float(d[0]), 3),
        dy_mm=round(float(d[1]), 3),
        thresholds=thresholds,
        overlap=overlap,
        strokes=strokes,
        unmatched=unmatched,
        uneven_px=uneven,
    )


def _verdict(score: float, thresholds: Thresholds, unmatched: float, uneven_px: float) -> str:
    """The three-way verdict of a score, 同一 held at 要確認 when the disagreement looks like another seal's."""
    verdict = thresholds.verdict(score)
    if verdict != "same":
        return verdict
    if unmatched >= UNMATCHED_SHARE:
        return "unsure"
    if uneven_px > UNEVEN_EDGE_PX and score < thresholds.same + UNEVEN_MARGIN:
        return "unsure"
    return "same"


def rotation_matrix(angle_deg: float, source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """2×3 affine matrix rotating by −angle_deg (undoing a counter-clockwise rotation) about `source`, then
    moving `source` onto `target`."""
    matrix = cv2.getRotationMatrix2D((float(source[0]), float(source[1])), -angle_deg, 1.0)
    matrix[:, 2] += np.asarray(target, np.float64) - np.asarray(source, np.float64)
    return matrix


def decode_strength(png: bytes) -> np.ndarray:
    """Ink strength 0..1 of an impression image: its alpha if transparent, else the red-ink strength.

    Raises UnusableImageError('empty_file' or 'not_an_image').
    """
    if not png:
        raise UnusableImageError("empty_file")
    try:
        img = Image.open(io.BytesIO(png))
        img.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise UnusableImageError("not_an_image") from exc
    if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
        alpha = np.asarray(img.convert("RGBA"))[..., 3]
        if alpha.min() < 255:
            return alpha.astype(np.float32) / 255.0
    rgb = np.asarray(img.convert("RGB"))
    return ink_strength(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


def check_scale(mm_per_px: float) -> None:
    """Raise ImagingError('bad_scale') unless mm_per_px is a plausible scan scale (0.002..1 mm per pixel)."""
    if not 0.002 <= float(mm_per_px) <= 1.0:
        raise ImagingError("bad_scale")


def _strength(png: bytes, mm_per_px: float) -> np.ndarray:
    """Ink strength of an impression image after checking its scale and size.

    Raises ImagingError('bad_scale'), UnusableImageError('empty_file', 'not_an_image', 'image_too_large').
    """
    check_scale(mm_per_px)
    strength = decode_strength(png)
    if max(strength.shape) * mm_per_px > MAX_IMPRESSION_MM + GRID_MAX_MM / 2:
        raise UnusableImageError(
            "image_too_large", "照合する印影画像が大きすぎます（印影だけを切り抜いた画像を使ってください）"
        )
    return strength


def _matching_blur(a_mm_per_px: float, b_mm_per_px: float, grid_mm: float) -> tuple[float, float]:
    """Extra Gaussian blur (sigma in mm) for a and b that gives both the blur of the coarser one.

    Thin strokes of a coarse scan come out fainter and thinner after binarization; blurring the sharper
    impression the same way keeps resolution differences from looking like stroke-width differences.
    """
    own_a = RESOLUTION_BLUR * max(a_mm_per_px, grid_mm)
    own_b = RESOLUTION_BLUR * max(b_mm_per_px, grid_mm)
    target = max(own_a, own_b)
    return float(np.sqrt(target**2 - own_a**2)), float(np.sqrt(target**2 - own_b**2))


def _strength_on_grid(strength: np.ndarray, mm_per_px: float, grid_mm: float, blur_mm: float) -> np.ndarray:
    """Ink resampled to the grid_mm grid, blurred by blur_mm, in units of the strength of the stroke it
    belongs to (the strongest ink within LOCAL_MM, capped at 1), so that faint and strong stampings, and a
    side pressed lightly, compare alike.

    Raises ImagingError('no_impression').
    """
    scale = mm_per_px / grid_mm
    size = (max(1, int(round(strength.shape[1] * scale))), max(1, int(round(strength.shape[0] * scale))))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    grid = cv2.resize(strength, size, interpolation=interp)
    if blur_mm > 1e-6:
        grid = cv2.GaussianBlur(grid, (0, 0), blur_mm / grid_mm)
    inked = grid[grid > 0.05]
    if inked.size < 20:
        raise ImagingError("no_impression")
    typical = max(0.05, float(np.percentile(inked, 95)))
    radius = max(1, int(round(LOCAL_MM / grid_mm)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    stroke = np.maximum(cv2.dilate(grid, kernel), LOCAL_FLOOR * typical)
    return np.minimum(grid / stroke, 1.0).astype(np.float32)


def _binary(grid: np.ndarray) -> np.ndarray:
    """Ink at BINARY_LEVEL of its stroke's strength or more, as uint8 0/1."""
    return (grid >= BINARY_LEVEL).astype(np.uint8)


def _binary_matching_area(strength: np.ndarray, area: int) -> np.ndarray:
    """b's ink binarized at the level (BINARY_LEVEL ± LEVEL_SHIFT_MAX) that gives it a's ink area: two
    stampings of one seal differ in ink spread and bleeding, which moves every edge alike."""
    values = strength[strength > 0.02]
    if values.size == 0 or area <= 0:
        return _binary(strength)
    level = float(np.partition(values, max(0, values.size - area))[max(0, values.size - area)])
    level = float(np.clip(level, BINARY_LEVEL - LEVEL_SHIFT_MAX, BINARY_LEVEL + LEVEL_SHIFT_MAX))
    return (strength >= level).astype(np.uint8)


def _canvas_side(a: np.ndarray, b: np.ndarray, grid_mm: float) -> int:
    """Side of a square canvas that holds either impression's ink, centred on its centroid, at any rotation
    plus the shift search range (so circular correlations do not wrap)."""
    radius = max(_ink_radius(a), _ink_radius(b))
    needed = 2 * int(np.ceil(radius)) + 2 * int(np.ceil(MAX_SHIFT_MM / grid_mm)) + 12
    return 2 * cv2.getOptimalDFTSize((needed + 1) // 2)  # fast FFT at full and half size


def _ink_radius(ink: np.ndarray) -> float:
    """Largest distance of an ink pixel from the ink centroid, in px."""
    ys, xs = np.nonzero(ink)
    return float(np.sqrt(((xs - xs.mean()) ** 2 + (ys - ys.mean()) ** 2).max()))


def _place(ink: np.ndarray, strength: np.ndarray, side: int) -> _Placed:
    """Put the impression on a side×side canvas with its ink centroid at the canvas centre (margins cropped)."""
    h, w = ink.shape
    ys, xs = np.nonzero(ink)
    ox, oy = int(round(side / 2 - xs.mean())), int(round(side / 2 - ys.mean()))
    x0, y0 = max(0, -ox), max(0, -oy)
    x1, y1 = min(w, side - ox), min(h, side - oy)
    canvases = []
    for image in (ink, strength):
        canvas = np.zeros((side, side), image.dtype)
        canvas[oy + y0 : oy + y1, ox + x0 : ox + x1] = image[y0:y1, x0:x1]
        canvases.append(canvas)
    return _Placed(
        ink=canvases[0],
        strength=canvases[1],
        centre=np.array([ox + (w - 1) / 2, oy + (h - 1) / 2]),
        centroid=np.array([xs.mean() + ox, ys.mean() + oy]),
    )


def _search(a: _Placed, b: _Placed, grid_mm: float) -> tuple[float, np.ndarray]:
    """Best (angle_deg, residual shift in grid px): rotation candidates from polar correlation about the ink
    centroids, checked at twice the grid, then refined to a fraction of a degree on the grid."""
    a2, b2 = _smooth(a.ink, 0.5), _smooth(b.ink, 0.5)
    ca2, cb2 = (a.centroid + 0.5) / 2 - 0.5, (b.centroid + 0.5) / 2 - 0.5
    fa2 = _Spectrum(a2)
    max_shift2 = int(np.ceil(MAX_SHIFT_MM / grid_mm / 2))
    scored = []
    for start in _rotation_candidates(a2, b2, ca2, cb2):
        for ang in start + np.array([-COARSE_STEP_DEG, 0.0, COARSE_STEP_DEG]):
            scored.append((fa2.best_shift(_warp(b2, ang, cb2, ca2), max_shift2)[0], float(ang)))
    angle = _parabolic_peak(scored, COARSE_STEP_DEG)
    a1, b1 = _smooth(a.ink, 1.0), _smooth(b.ink, 1.0)
    fa1 = _Spectrum(a1)
    max_shift = int(np.ceil(MAX_SHIFT_MM / grid_mm))
    best = (-1.0, 0.0, np.zeros(2))
    for ang in angle + np.array([-FINE_STEP_DEG, 0.0, FINE_STEP_DEG]):
        score, shift = fa1.best_shift(_warp(b1, ang, b.centroid, a.centroid), max_shift)
        if score > best[0]:
            best = (score, float(ang), shift)
    return best[1], best[2]


def _rotation_candidates(a: np.ndarray, b: np.ndarray, ca: np.ndarray, cb: np.ndarray) -> list[float]:
    """Angles (deg, 1° resolution) at which b's polar image about its centroid best matches a's."""
    radius = max(8, int(min(a.shape) / 2))
    pa, pb = _polar(a, ca, radius), _polar(b, cb, radius)
    pa -= pa.mean(axis=0, keepdims=True)  # rings (outlines) match at every angle: keep what varies
    pb -= pb.mean(axis=0, keepdims=True)
    pa *= (np.arange(radius, dtype=np.float32) + 0.5)[None, :]  # polar samples weighted by their area
    cross = (np.fft.rfft(pa, axis=0) * np.conj(np.fft.rfft(pb, axis=0))).sum(axis=1)
    corr = np.fft.irfft(cross, n=_POLAR_ROWS)
    scored = [(float(v), i * 360.0 / _POLAR_ROWS) for i, v in enumerate(corr)]
    return _distinct_best(scored, _COARSE_CANDIDATES, 8.0)


def _polar(img: np.ndarray, centre: np.ndarray, radius: int) -> np.ndarray:
    """Polar resampling (rows: 1° steps clockwise in image coordinates, columns: 1 px radii) about `centre`."""
    theta = np.arange(_POLAR_ROWS, dtype=np.float64)[:, None] * (2 * np.pi / _POLAR_ROWS)
    r = np.arange(radius, dtype=np.float64)[None, :] + 0.5
    map_x = (centre[0] + r * np.cos(theta)).astype(np.float32)
    map_y = (centre[1] + r * np.sin(theta)).astype(np.float32)
    out = cv2.remap(img, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return out.astype(np.float64)


def _parabolic_peak(scored: list[tuple[float, float]], step: float) -> float:
    """Angle of the best score, refined by a parabola through it and its neighbours `step` apart."""
    lookup = {round(ang, 6): score for score, ang in scored}
    best_score, best = max(scored)
    left, right = lookup.get(round(best - step, 6)), lookup.get(round(best + step, 6))
    if left is None or right is None:
        return best
    curve = left - 2 * best_score + right
    if curve >= 0:
        return best
    return best + float(np.clip(0.5 * (left - right) / curve, -0.5, 0.5)) * step


class _Spectrum:
    """Cached FFT of the reference image for repeated cross-correlations."""

    def __init__(self, image: np.ndarray) -> None:
        self.shape = image.shape
        self.spectrum = cv2.dft(image)  # packed (CCS) real spectrum: half the work of a complex one
        self.energy = float((image * image).sum())

    def best_shift(self, b: np.ndarray, max_shift: int) -> tuple[float, np.ndarray]:
        """Highest normalized cross-correlation of b shifted by at most max_shift px, and the shift."""
        fb = cv2.dft(b)
        corr = cv2.idft(cv2.mulSpectrums(self.spectrum, fb, 0, conjB=True), flags=cv2.DFT_REAL_OUTPUT)
        window = np.concatenate([np.arange(0, max_shift + 1), np.arange(-max_shift, 0)])
        sub = corr[np.ix_(window % self.shape[0], window % self.shape[1])]
        iy, ix = np.unravel_index(int(np.argmax(sub)), sub.shape)
        norm = float(np.sqrt(self.energy * float((b * b).sum()))) or 1.0
        scale = self.shape[0] * self.shape[1]
        peak = np.array([window[ix], window[iy]])
        return float(sub[iy, ix]) / scale / norm, peak + _subpixel_offset(corr, peak)


def _subpixel_offset(corr: np.ndarray, peak: np.ndarray) -> np.ndarray:
    """Fraction of a pixel (x, y) by which the correlation peak lies off its best pixel: a parabola through
    the peak and its two neighbours on each axis. Strokes one or two pixels wide lose a pixel-wide sliver on
    opposite edges when b sits half a pixel off, which the local Dice would count as disagreement."""
    rows, cols = corr.shape
    x, y = int(peak[0]), int(peak[1])
    centre = float(corr[y % rows, x % cols])
    sides = ((float(corr[y % rows, (x - 1) % cols]), float(corr[y % rows, (x + 1) % cols])),
             (float(corr[(y - 1) % rows, x % cols]), float(corr[(y + 1) % rows, x % cols])))
    offsets = []
    for before, after in sides:
        curve = before - 2 * centre + after
        offsets.append(0.0 if curve >= 0 else float(np.clip(0.5 * (before - after) / curve, -0.5, 0.5)))
    return np.array(offsets)


def _smooth(ink: np.ndarray, factor: float) -> np.ndarray:
    """Float copy of a binary image scaled by `factor` and blurred slightly, for tolerant correlation."""
    img = ink.astype(np.float32)
    if factor != 1.0:
        size = (int(round(img.shape[1] * factor)), int(round(img.shape[0] * factor)))
        img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    return cv2.GaussianBlur(img, (0, 0), 1.0)


def _warp(img: np.ndarray, angle: float, source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """`img` rotated by −angle about `source`, with `source` moved onto `target`."""
    matrix = rotation_matrix(angle, source, target)
    return cv2.warpAffine(img, matrix, (img.shape[1], img.shape[0]), flags=cv2.INTER_LINEAR)


def _distinct_best(scored: list[tuple[float, float]], count: int, min_gap: float) -> list[float]:
    """Angles of the `count` best scores that are at least `min_gap` degrees apart."""
    picked: list[float] = []
    for _, ang in sorted(scored, reverse=True):
        if all(abs(((ang - p) + 180) % 360 - 180) >= min_gap for p in picked):
            picked.append(ang)
        if len(picked) == count:
            break
    return picked


def _close_pores(ink: np.ndarray) -> np.ndarray:
    """Binary ink with one-pixel pores and breaks closed (a 3×3 cross): a dry or porous pad, paper fibres
    and a 1-bit scan's threshold leave such holes in one stamping and not in the other, while strokes two
    pixels apart, where two typefaces differ, stay apart."""
    return cv2.morphologyEx(ink, cv2.MORPH_CLOSE, _CROSS)


def _score(a: np.ndarray, b: np.ndarray, grid_mm: float) -> float:
    """Agreement of aligned binary impressions: Dice (no tolerance, so stroke widths count) in every 2 mm
    neighbourhood with ink, and the 5th percentile of those: a few differing strokes are enough to fail."""
    return _local_dice(a, b, int(round(WINDOW_MM / grid_mm)), WINDOW_PERCENTILE)


def _stroke_agreement(a: np.ndarray, b: np.ndarray, grid_mm: float) -> float:
    """Agreement of the characters' strokes: Dice in small neighbourhoods well inside a's outline (the frame
    and the outer rim are left out: they match for every seal of one shape and size), and a low percentile."""
    inside, _ = _inside_and_rim(a)
    win = max(3, int(round(STROKE_WINDOW_MM / grid_mm)))
    return _local_dice(a, b, win, STROKE_PERCENTILE, inside)


def _inside_and_rim(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks of the characters' region (deeper than STROKE_DEPTH of the deepest point of a's convex
    hull) and of the rim (the rest of the hull: the frame, or the outer strokes of a frameless seal)."""
    hull = np.zeros(a.shape, np.uint8)
    cv2.fillConvexPoly(hull, cv2.convexHull(cv2.findNonZero(a)), 1)
    depth = cv2.distanceTransform(hull, cv2.DIST_L2, 5)
    inside = depth >= STROKE_DEPTH * float(depth.max())
    return inside, (hull > 0) & ~inside


def _largest_unmatched_share(a: np.ndarray, b: np.ndarray) -> float:
    """Largest piece of ink that one impression has with no ink of the other within one pixel (4-neighbour),
    as a share of the mean ink area. A 2×2 opening first drops the one-pixel-thin slivers that edges and pores
    leave."""
    opening = np.ones((2, 2), np.uint8)
    largest = 0
    for own, other in ((a, b), (b, a)):
        unmatched = cv2.morphologyEx(own & (1 - cv2.dilate(other, _CROSS)), cv2.MORPH_OPEN, opening)
        count, _, stats, _ = cv2.connectedComponentsWithStats(unmatched, connectivity=8)
        if count > 1:
            largest = max(largest, int(stats[1:, cv2.CC_STAT_AREA].max()))
    return largest / max(1.0, (float(a.sum()) + float(b.sum())) / 2)


def _uneven_edges(a: np.ndarray, b: np.ndarray) -> float:
    """How much further apart (grid px) the two impressions' edges are in the characters' region than on the
    rim: the differing area per length of edge in each region, characters minus rim."""
    inside, rim = _inside_and_rim(a)
    return _edge_offset(a, b, inside) - _edge_offset(a, b, rim)


def _edge_offset(a: np.ndarray, b: np.ndarray, where: np.ndarray) -> float:
    """Mean distance (px) between the two impressions' edges within `where`: the area where exactly one has
    ink, over the mean length of their edges there (a uniform offset of d px gives d, at any stroke width)."""
    mask = where.astype(np.uint8)
    differing = float(((a ^ b) & mask).sum())
    edges = (_edge_length(a & mask) + _edge_length(b & mask)) / 2
    return differing / max(1.0, edges)


def _edge_length(ink: np.ndarray) -> float:
    """Ink pixels on the edge of the ink (a 4-neighbour outside it), roughly the edge length in px."""
    return float((ink & (1 - cv2.erode(ink, _CROSS))).sum())


def _local_dice(a: np.ndarray, b: np.ndarray, win: int, percentile: float,
                where: np.ndarray | None = None) -> float:
    """Dice of two binary images in every win×win neighbourhood with ink (centred in `where`, if given),
    and the given low percentile of those."""
    a_, b_ = a > 0, b > 0
    inked = a_.astype(np.float32) + b_
    if float(inked.sum()) == 0:
        return 0.0
    missed = (a_ ^ b_).astype(np.float32)
    local_missed = cv2.boxFilter(missed, -1, (win, win), normalize=False)
    local_inked = cv2.boxFilter(inked, -1, (win, win), normalize=False)
    valid = local_inked >= WINDOW_MIN_INK * local_inked.max()
    if where is not None:
        valid &= where
    if not valid.any():
        return 1.0  # nothing inside to judge: the whole-impression overlap decides alone
    local = 1.0 - local_missed[valid] / local_inked[valid]
    return max(0.0, float(np.percentile(local, percentile)))
