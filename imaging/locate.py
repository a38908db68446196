"""Finding red-ink impressions: connected ink components grouped into candidate impressions."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .geometry import polygon_area
from .grouping import cluster_components, component_gaps
from .ink import DETECT_STRENGTH

__all__ = ["InkGroup", "InkMap", "find_ink_groups", "group_mask", "hull_points"]

MIN_COMPONENT_MM2 = 0.05  # smaller specks are noise
MIN_CANDIDATE_MM = 2.0  # a group smaller than this is a stray mark, not an impression
_MAX_COMPONENTS = 1500
FRAME_HOLE_SHARE = 0.5


@dataclass(frozen=True, eq=False)
class InkGroup:
    """Connected ink components that together form one candidate impression."""

    label_ids: np.ndarray
    bbox: tuple[int, int, int, int]  # x, y, w, h in the scan
    ink_px: int


@dataclass(frozen=True, eq=False)
class InkMap:
    """Ink strength of a scan, its component labels and the candidate groups, largest ink first."""

    strength: np.ndarray
    labels: np.ndarray
    groups: tuple[InkGroup, ...]
    unsure: bool = False  # the largest impression's parts could not be told apart from other ink


def find_ink_groups(strength: np.ndarray, px_per_mm: float) -> InkMap:
    """Label red-ink components, drop specks and ruled lines, group the parts of each impression
    (imaging/grouping.py) into candidate impressions."""
    mask = (strength >= DETECT_STRENGTH).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = _useful_components(stats, px_per_mm)
    pairs, gaps = component_gaps(labels, stats, keep, px_per_mm)
    clustering = cluster_components(stats[keep], pairs, gaps, px_per_mm,
                                    lambda i: _is_ring(labels, stats, int(keep[i])))
    groups = []
    for members in clustering.groups:
        group = _make_group(keep[members], stats)
        if max(group.bbox[2], group.bbox[3]) >= MIN_CANDIDATE_MM * px_per_mm:
            groups.append(group)
    unsure = clustering.unsure and bool(groups) and bool(clustering.groups) and \
        np.array_equal(groups[0].label_ids, keep[clustering.groups[0]])
    return InkMap(strength=strength, labels=labels, groups=tuple(groups), unsure=unsure)


def _is_ring(labels: np.ndarray, stats: np.ndarray, label: int) -> bool:
    """Whether one component is a seal's frame: a closed ring, i.e. its largest hole fills most of its
    hull (口 or 田 in a character have smaller holes or hold nothing; a broken frame has no hole)."""
    x, y, w, h = (int(v) for v in stats[label, :4])
    mask = np.pad(labels[y : y + h, x : x + w] == label, 1).astype(np.uint8)
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return False
    holes = [cv2.contourArea(c) for c, link in zip(contours, hierarchy[0], strict=True) if link[3] >= 0]
    hull_area = polygon_area(hull_points(mask.astype(bool)))
    return bool(holes) and max(holes) >= FRAME_HOLE_SHARE * hull_area


def _useful_components(stats: np.ndarray, px_per_mm: float) -> np.ndarray:
    """Indices of components that may belong to a seal (not background, specks or long thin lines)."""
    area = stats[:, cv2.CC_STAT_AREA]
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    long_side, short_side = np.maximum(w, h), np.maximum(np.minimum(w, h), 1)
    ok = area >= MIN_COMPONENT_MM2 * px_per_mm**2
    line_like = (long_side >= 10 * px_per_mm) & (long_side >= 10 * short_side)
    ok &= ~line_like & (long_side <= 60 * px_per_mm)
    ok[0] = False  # background label
    idx = np.flatnonzero(ok)
    if len(idx) > _MAX_COMPONENTS:
        idx = idx[np.argsort(area[idx])[::-1][:_MAX_COMPONENTS]]
    return idx


def _make_group(label_ids: np.ndarray, stats: np.ndarray) -> InkGroup:
    """Union bounding box and ink pixel count of the given component labels."""
    s = stats[label_ids]
    x0, y0 = int(s[:, 0].min()), int(s[:, 1].min())
    x1, y1 = int((s[:, 0] + s[:, 2]).max()), int((s[:, 1] + s[:, 3]).max())
    return InkGroup(label_ids=label_ids, bbox=(x0, y0, x1 - x0, y1 - y0), ink_px=int(s[:, 4].sum()))


def group_mask(ink: InkMap, group: InkGroup, pad: int = 0) -> tuple[np.ndarray, tuple[int, int]]:
    """Boolean mask of the group's ink in its bbox padded by `pad` px, and the crop's (x, y) origin."""
    x, y, w, h = group.bbox
    height, width = ink.labels.shape
    cx0, cy0 = max(0, x - pad), max(0, y - pad)
    crop = ink.labels[cy0 : min(height, y + h + pad), cx0 : min(width, x + w + pad)]
    mask = np.isin(crop, group.label_ids)
    if x - pad < 0 or y - pad < 0 or x + w + pad > width or y + h + pad > height:
        mask = np.pad(
            mask,
            (
                (cy0 - (y - pad), (y + h + pad) - min(height, y + h + pad)),
                (cx0 - (x - pad), (x + w + pad) - min(width, x + w + pad)),
            ),
        )
    return mask, (x - pad, y - pad)


def hull_points(mask: np.ndarray) -> np.ndarray:
    """Convex hull (K×2 float, pixel centres) of the True pixels of a mask; raises ValueError if empty."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        raise ValueError("empty mask")
    hull = cv2.convexHull(np.concatenate(contours))
    return hull.reshape(-1, 2).astype(np.float64)
