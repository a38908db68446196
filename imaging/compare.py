"""Comparing two normalized impressions (印影照合): best rotation/translation and an overlap score."""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import ImagingError, UnusableImageError
from .ink import ink_strength

__all__ = ["Comparison", "compare_impressions", "check_scale", "decode_strength", "rotation_matrix"]

GRID_MM = 0.1  # common resampling grid
COARSE_STEP_DEG = 3.0
FINE_RANGE_DEG = 3.0
FINE_STEP_DEG = 0.5
MAX_SHIFT_MM = 2.5  # residual translation searched after centroid alignment
TOLERANCE_MM = 0.2  # ink within this distance of the other impression's ink counts as matching
WINDOW_MM = 3.0  # neighbourhood in which the ink must agree too
WINDOW_MIN_INK = 0.25  # neighbourhoods with less ink than this fraction of the densest one are not judged
MAX_IMPRESSION_MM = 80.0  # larger images are not cropped impressions
_COARSE_CANDIDATES = 3


@dataclass(frozen=True)
class Comparison:
    """Overlap score in [0, 1], verdict, and how b is placed on a.

    b is rotated by −angle_deg about its image centre and its centre moved to a's centre + (dx_mm, dy_mm)
    (x right, y down); angle_deg is b's counter-clockwise rotation relative to a, in (−180, 180].
    """

    score: float
    same: bool
    angle_deg: float
    dx_mm: float
    dy_mm: float


@dataclass(frozen=True, eq=False)
class _Placed:
    """A binarized impression on the square comparison canvas."""

    ink: np.ndarray  # uint8 0/1
    centre: np.ndarray  # image centre in canvas px (x, y)
    centroid: np.ndarray  # ink centroid in canvas px (x, y)


def compare_impressions(
    a_png: bytes, a_mm_per_px: float, b_png: bytes, b_mm_per_px: float, threshold: float = 0.80
) -> Comparison:
    """Align b onto a (rotation + translation on a 0.1 mm grid) and score their ink overlap.

    Raises UnusableImageError("not_an_image", "image_too_large"), ImagingError("bad_scale", "no_impression").
    """
    a_ink, b_ink = _binary_on_grid(a_png, a_mm_per_px), _binary_on_grid(b_png, b_mm_per_px)
    side = _canvas_side(a_ink, b_ink)
    a, b = _place(a_ink, side), _place(b_ink, side)
    angle, shift = _search(a, b)
    matrix = rotation_matrix(angle, b.centroid, a.centroid + shift)
    b_aligned = cv2.warpAffine(b.ink, matrix, (side, side), flags=cv2.INTER_NEAREST)
    score = round(_score(a.ink, b_aligned), 4)
    linear, offset = matrix[:, :2], matrix[:, 2]
    d = (linear @ b.centre + offset - a.centre) * GRID_MM
    angle = ((angle + 180.0) % 360.0) - 180.0
    angle = 180.0 if angle == -180.0 else angle
    return Comparison(
        score=score,
        same=score >= threshold,
        angle_deg=round(angle, 2),
        dx_mm=round(float(d[0]), 3),
        dy_mm=round(float(d[1]), 3),
    )


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


def _binary_on_grid(png: bytes, mm_per_px: float) -> np.ndarray:
    """Ink of an impression resampled to the 0.1 mm grid and binarized at half its typical strength."""
    check_scale(mm_per_px)
    strength = decode_strength(png)
    scale = mm_per_px / GRID_MM
    size = (max(1, int(round(strength.shape[1] * scale))), max(1, int(round(strength.shape[0] * scale))))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    grid = cv2.resize(strength, size, interpolation=interp)
    if max(grid.shape) * GRID_MM > MAX_IMPRESSION_MM:
        raise UnusableImageError(
            "image_too_large", "照合する印影画像が大きすぎます（印影だけを切り抜いた画像を使ってください）"
        )
    inked = grid[grid > 0.05]
    if inked.size < 20:
        raise ImagingError("no_impression")
    threshold = max(0.05, 0.5 * float(np.percentile(inked, 95)))
    return (grid >= threshold).astype(np.uint8)


def _canvas_side(a: np.ndarray, b: np.ndarray) -> int:
    """Side of a square canvas that holds either impression at any rotation plus the shift search range."""
    diag = max(np.hypot(*a.shape), np.hypot(*b.shape))
    needed = int(np.ceil(diag)) + 2 * int(np.ceil(MAX_SHIFT_MM / GRID_MM)) + 8
    return 2 * cv2.getOptimalDFTSize((needed + 1) // 2)  # fast FFT at full and half size


def _place(ink: np.ndarray, side: int) -> _Placed:
    """Centre the impression on a side×side canvas."""
    h, w = ink.shape
    ox, oy = (side - w) // 2, (side - h) // 2
    canvas = np.zeros((side, side), np.uint8)
    canvas[oy : oy + h, ox : ox + w] = ink
    ys, xs = np.nonzero(canvas)
    return _Placed(
        ink=canvas,
        centre=np.array([ox + (w - 1) / 2, oy + (h - 1) / 2]),
        centroid=np.array([xs.mean(), ys.mean()]),
    )


def _search(a: _Placed, b: _Placed) -> tuple[float, np.ndarray]:
    """Best (angle_deg, residual shift in grid px): 3° steps at 0.2 mm, then ±3° in 0.5° steps at 0.1 mm."""
    a2, b2 = _smooth(a.ink, 0.5), _smooth(b.ink, 0.5)
    ca2, cb2 = (a.centroid + 0.5) / 2 - 0.5, (b.centroid + 0.5) / 2 - 0.5
    max_shift2 = int(np.ceil(MAX_SHIFT_MM / GRID_MM / 2))
    coarse = [
        (_ncc_best_shift(a2, _warp(b2, ang, cb2, ca2), max_shift2)[0], ang)
        for ang in np.arange(0.0, 360.0, COARSE_STEP_DEG)
    ]
    starts = _distinct_best(coarse, _COARSE_CANDIDATES, 2 * COARSE_STEP_DEG)
    a1, b1 = _smooth(a.ink, 1.0), _smooth(b.ink, 1.0)
    max_shift = int(np.ceil(MAX_SHIFT_MM / GRID_MM))
    best = (-1.0, 0.0, np.zeros(2))
    for start in starts:
        for ang in start + np.arange(-FINE_RANGE_DEG, FINE_RANGE_DEG + 1e-9, FINE_STEP_DEG):
            score, shift = _ncc_best_shift(a1, _warp(b1, ang, b.centroid, a.centroid), max_shift)
            if score > best[0]:
                best = (score, float(ang), shift)
    return best[1], best[2]


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


def _ncc_best_shift(a: np.ndarray, b: np.ndarray, max_shift: int) -> tuple[float, np.ndarray]:
    """Highest normalized cross-correlation of b shifted by at most max_shift px onto a, and the shift."""
    corr = np.fft.irfft2(np.fft.rfft2(a) * np.conj(np.fft.rfft2(b)), s=a.shape)
    window = np.concatenate([np.arange(0, max_shift + 1), np.arange(-max_shift, 0)])
    sub = corr[np.ix_(window % a.shape[0], window % a.shape[1])]
    iy, ix = np.unravel_index(int(np.argmax(sub)), sub.shape)
    norm = float(np.sqrt((a * a).sum() * (b * b).sum())) or 1.0
    return float(sub[iy, ix]) / norm, np.array([float(window[ix]), float(window[iy])])


def _distinct_best(scored: list[tuple[float, float]], count: int, min_gap: float) -> list[float]:
    """Angles of the `count` best scores that are at least `min_gap` degrees apart."""
    picked: list[float] = []
    for _, ang in sorted(scored, reverse=True):
        if all(abs(((ang - p) + 180) % 360 - 180) >= min_gap for p in picked):
            picked.append(ang)
        if len(picked) == count:
            break
    return picked


def _score(a: np.ndarray, b: np.ndarray) -> float:
    """Overlap of aligned binary impressions: the lower of the whole-impression tolerant Dice and the
    agreement in the worst 3 mm neighbourhoods (1st percentile): one differing character is enough to fail."""
    tol = max(1, int(round(TOLERANCE_MM / GRID_MM)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * tol + 1, 2 * tol + 1))
    a_, b_ = a > 0, b > 0
    near_a, near_b = cv2.dilate(a, kernel) > 0, cv2.dilate(b, kernel) > 0
    missed = (a_ & ~near_b).astype(np.float32) + (b_ & ~near_a)
    inked = a_.astype(np.float32) + b_
    total = float(inked.sum())
    if total == 0:
        return 0.0
    whole = 1.0 - float(missed.sum()) / total
    win = int(round(WINDOW_MM / GRID_MM))
    local_missed = cv2.boxFilter(missed, -1, (win, win), normalize=False)
    local_inked = cv2.boxFilter(inked, -1, (win, win), normalize=False)
    valid = local_inked >= WINDOW_MIN_INK * local_inked.max()
    local = 1.0 - local_missed[valid] / local_inked[valid]
    return max(0.0, min(whole, float(np.percentile(local, 1))))
