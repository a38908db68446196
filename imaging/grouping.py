"""Grouping ink components into impressions: every character and part of one seal together, a separate
impression apart, and an honest "unsure" in between.

Gaps are true ink-to-ink distances (a nearest-component map from one distance transform). Parts closer
than TIGHT_MM always belong together, and so does anything inside a frame's box. A frameless impression
(枠なし) grows further by a distance relative to its character size: its characters stand up to about one
character part apart, while a second impression on a form lies many mm away. A part that is neither
clearly near nor clearly far makes the grouping unsure, and the caller refuses to give a size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["Clustering", "cluster_components", "component_gaps", "ring_coverage", "ring_fill"]

GAP_PX_PER_MM = 5.0  # gaps between parts are measured on a grid this fine
TIGHT_MM = 2.0  # parts of one seal closer than this always belong together (frame and characters)
JOIN_SCALE = 1.0  # a frameless seal's parts within this × its character part size belong together
SEPARATE_SCALE = 2.4  # parts beyond this × the character part size (and SEPARATE_MIN_MM) are separate
SEPARATE_MIN_MM = 4.0
RING_BAND_MM = 0.6
_BINS = 180


@dataclass(frozen=True)
class Clustering:
    """Component indices of each group (largest ink first) and whether the first group's extent is unsure."""

    groups: tuple[np.ndarray, ...]
    unsure: bool


def component_gaps(labels: np.ndarray, stats: np.ndarray, keep: np.ndarray,
                   px_per_mm: float) -> tuple[np.ndarray, np.ndarray]:
    """Smallest ink-to-ink gap (px) between neighbouring kept components: pairs (M×2 indices into `keep`)
    and their gaps (M). Components whose nearest-ink regions do not touch are not neighbours.

    Gaps are taken on a grid of about GAP_PX_PER_MM (each cell holds any ink in it), around the kept ink
    only: a fifth of a mm is plenty for decisions made in mm, and a page costs no more than its ink.
    """
    if len(keep) < 2:
        return np.zeros((0, 2), np.int64), np.zeros(0)
    lut = np.zeros(int(labels.max()) + 1, np.int32)
    lut[keep] = np.arange(1, len(keep) + 1)
    x0, y0 = int(stats[keep, 0].min()), int(stats[keep, 1].min())
    x1, y1 = int((stats[keep, 0] + stats[keep, 2]).max()), int((stats[keep, 1] + stats[keep, 3]).max())
    factor = max(1, int(px_per_mm / GAP_PX_PER_MM))
    comp = _pooled(lut[labels[y0:y1, x0:x1]], factor)
    pairs, gaps = _neighbour_gaps(np.pad(comp, 1), len(keep))
    lost = np.setdiff1d(np.arange(1, len(keep) + 1), np.unique(comp))
    if len(lost):  # a tiny part shares its grid cell with a neighbour: no gap between them
        cells = [comp[(y - y0) // factor, (x - x0) // factor] for x, y in (_a_pixel(labels, stats, keep[i - 1])
                                                                           for i in lost)]
        pairs = np.concatenate([pairs, np.stack([lost - 1, np.array(cells) - 1], axis=1)])
        gaps = np.concatenate([gaps, np.zeros(len(lost))])
    return pairs, gaps * factor


def _pooled(comp: np.ndarray, factor: int) -> np.ndarray:
    """Component ids on a grid `factor` times coarser: each cell keeps the largest id found in it."""
    if factor == 1:
        return comp
    h, w = comp.shape
    padded = np.pad(comp, ((0, -h % factor), (0, -w % factor)))
    return padded.reshape(padded.shape[0] // factor, factor, padded.shape[1] // factor, factor).max(axis=(1, 3))


def _a_pixel(labels: np.ndarray, stats: np.ndarray, label: int) -> tuple[int, int]:
    """(x, y) of one pixel of a component: the first of its top row."""
    x, y, w = int(stats[label, 0]), int(stats[label, 1]), int(stats[label, 2])
    return x + int(np.argmax(labels[y, x : x + w] == label)), y


def _neighbour_gaps(comp: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (0-based) of components 1..count in `comp` whose nearest-ink regions touch, and their gaps."""
    dist, nearest_pixel = cv2.distanceTransformWithLabels(
        (comp == 0).astype(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
    owner = np.zeros(int(nearest_pixel.max()) + 1, np.int32)
    inked = comp > 0
    owner[nearest_pixel[inked]] = comp[inked]
    near = owner[nearest_pixel]
    keys, gaps = [], []
    for dy, dx, step in ((0, 1, 1.0), (1, 0, 1.0), (1, 1, 1.414), (1, -1, 1.414)):
        a, b, da, db = _shifted(near, dist, dy, dx)
        edge = (a != b) & (a > 0) & (b > 0)
        lo, hi = np.minimum(a[edge], b[edge]), np.maximum(a[edge], b[edge])
        keys.append(lo.astype(np.int64) * (count + 1) + hi)
        gaps.append(np.maximum(da[edge] + db[edge] + step - 1.0, 0.0))
    key, gap = np.concatenate(keys), np.concatenate(gaps)
    if key.size == 0:
        return np.zeros((0, 2), np.int64), np.zeros(0)
    order = np.lexsort((gap, key))
    key, gap = key[order], gap[order]
    first = np.concatenate([[True], key[1:] != key[:-1]])
    key, gap = key[first], gap[first]
    return np.stack([key // (count + 1) - 1, key % (count + 1) - 1], axis=1), gap.astype(np.float64)


def _shifted(near: np.ndarray, dist: np.ndarray, dy: int, dx: int):
    """Neighbouring pixel pairs (p, p + (dy, dx)) of the nearest-component map and their distances."""
    h, w = near.shape
    ys, ye = slice(0, h - dy), slice(dy, h)
    if dx >= 0:
        xs, xe = slice(0, w - dx), slice(dx, w)
    else:
        xs, xe = slice(-dx, w), slice(0, w + dx)
    return near[ys, xs], near[ye, xe], dist[ys, xs], dist[ye, xe]


GROWN_GROUPS = 8  # only the largest groups are grown; smaller red marks stay as they are


def cluster_components(stats: np.ndarray, pairs: np.ndarray, gaps_px: np.ndarray, px_per_mm: float,
                       is_frame: Callable[[int], bool]) -> Clustering:
    """Group components (rows of `stats`: x, y, w, h, area) into impressions.

    `is_frame(i)` tells whether component i is a closed ring (asked only of components whose box holds
    another component). Groups come largest ink first; `unsure` is about the first group only.
    """
    if len(stats) == 0:
        return Clustering((), False)
    group = np.arange(len(stats))
    for (i, j), gap in zip(pairs, gaps_px, strict=True):
        if gap <= TIGHT_MM * px_per_mm:
            _union(group, int(i), int(j))
    _merge_contained(stats, group)
    framed = _framed_groups(stats, group, is_frame)
    done: set[int] = set()
    unsure = False
    for rank, label in enumerate(_by_ink(stats, group)[:GROWN_GROUPS]):
        if label in done or not (group == label).any():
            continue
        was_unsure = _grow(label, stats, pairs, gaps_px, group, framed, done, px_per_mm)
        unsure = unsure or (was_unsure and rank == 0)
        done.add(label)
    groups = tuple(np.flatnonzero(group == label) for label in _by_ink(stats, group))
    return Clustering(groups, unsure)


def _union(group: np.ndarray, i: int, j: int) -> None:
    """Put j's group into i's group."""
    a, b = group[i], group[j]
    if a != b:
        group[group == b] = a


def _by_ink(stats: np.ndarray, group: np.ndarray) -> list[int]:
    """Group labels, largest ink first."""
    labels, inverse = np.unique(group, return_inverse=True)
    ink = np.bincount(inverse, weights=stats[:, 4].astype(np.float64))
    return [int(labels[k]) for k in np.argsort(-ink, kind="stable")]


def _boxes(stats: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group labels and their boxes (x0, y0, x1, y1)."""
    labels = np.unique(group)
    x1, y1 = stats[:, 0] + stats[:, 2], stats[:, 1] + stats[:, 3]
    boxes = np.array([[stats[group == g, 0].min(), stats[group == g, 1].min(), x1[group == g].max(),
                       y1[group == g].max()] for g in labels])
    return labels, boxes


def _merge_contained(stats: np.ndarray, group: np.ndarray) -> None:
    """A group whose box lies inside another group's box belongs to it (characters inside a frame)."""
    while True:
        labels, b = _boxes(stats, group)
        inside = ((b[:, None, 0] <= b[None, :, 0]) & (b[:, None, 1] <= b[None, :, 1])
                  & (b[None, :, 2] <= b[:, None, 2]) & (b[None, :, 3] <= b[:, None, 3]))
        np.fill_diagonal(inside, False)
        outer, inner = np.nonzero(inside)
        if len(outer) == 0:
            return
        for o, i in zip(outer, inner, strict=True):
            group[group == labels[i]] = labels[o]


def _framed_groups(stats: np.ndarray, group: np.ndarray, is_frame: Callable[[int], bool]) -> set[int]:
    """Groups that have a frame: a closed ring component whose box holds another component of the group."""
    x1, y1 = stats[:, 0] + stats[:, 2], stats[:, 1] + stats[:, 3]
    framed = set()
    for i in range(len(stats)):
        same = group == group[i]
        same[i] = False
        holds = same & (stats[:, 0] >= stats[i, 0]) & (stats[:, 1] >= stats[i, 1]) & (x1 <= x1[i]) & (y1 <= y1[i])
        if holds.any() and int(group[i]) not in framed and is_frame(i):
            framed.add(int(group[i]))
    return framed


def _grow(label: int, stats: np.ndarray, pairs: np.ndarray, gaps_px: np.ndarray, group: np.ndarray,
          framed: set[int], done: set[int], px_per_mm: float) -> bool:
    """Grow a frameless group over its nearby parts (in place); True when a part lies in the unsure band."""
    if label in framed or len(pairs) == 0:
        return False
    while True:
        inside = group == label
        scale = _part_size_px(stats[inside])
        a, b = inside[pairs[:, 0]], inside[pairs[:, 1]]
        other = np.where(a, pairs[:, 1], pairs[:, 0])
        open_ = (a != b) & ~np.isin(group[other], list(done))
        if not open_.any():
            return False
        k = int(np.argmin(np.where(open_, gaps_px, np.inf)))
        gap, target = float(gaps_px[k]), int(group[other[k]])
        if target not in framed and gap <= max(TIGHT_MM * px_per_mm, JOIN_SCALE * scale):
            group[group == target] = label
            continue
        return gap < max(SEPARATE_SCALE * scale, SEPARATE_MIN_MM * px_per_mm)


def _part_size_px(stats: np.ndarray) -> float:
    """Typical size of a character part: the ink-weighted median of the components' longer sides."""
    sides = np.maximum(stats[:, 2], stats[:, 3]).astype(np.float64)
    order = np.argsort(sides)
    weights = np.cumsum(stats[order, 4].astype(np.float64))
    return float(sides[order][int(np.searchsorted(weights, weights[-1] / 2))])


def ring_coverage(mask: np.ndarray, hull: np.ndarray, px_per_mm: float) -> float:
    """Share of directions (from the hull's centre) in which ink lies in the band just inside the hull."""
    band, hull_mask = _ring_band(mask.shape, hull, px_per_mm)
    ys, xs = np.nonzero(band & mask)
    moments = cv2.moments(hull_mask, binaryImage=True)
    if len(xs) == 0 or moments["m00"] == 0:
        return 0.0
    cx, cy = moments["m10"] / moments["m00"], moments["m01"] / moments["m00"]
    angles = np.degrees(np.arctan2(ys - cy, xs - cx)) % 360.0
    occupied = np.bincount((angles * (_BINS / 360.0)).astype(np.int64) % _BINS, minlength=_BINS) > 0
    return float(occupied.mean())


def ring_fill(mask: np.ndarray, hull: np.ndarray, px_per_mm: float) -> float:
    """Share of the band just inside the hull that is ink: a frame's ring fills it, characters that reach the
    outline in every direction (a frameless "KIM", "田") leave much of it paper."""
    band, _ = _ring_band(mask.shape, hull, px_per_mm)
    pixels = int(band.sum())
    return float((band & mask).sum()) / pixels if pixels else 0.0


def _ring_band(shape: tuple[int, ...], hull: np.ndarray, px_per_mm: float) -> tuple[np.ndarray, np.ndarray]:
    """(the band RING_BAND_MM wide just inside the hull, the filled hull) as masks of `shape`."""
    width = max(3, int(round(RING_BAND_MM * px_per_mm)))
    hull_mask = np.zeros(shape[:2], np.uint8)
    cv2.fillConvexPoly(hull_mask, np.round(hull).astype(np.int32), 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * width + 1, 2 * width + 1))
    return (hull_mask > 0) & (cv2.erode(hull_mask, kernel) == 0), hull_mask
