"""Finding red-ink impressions: connected ink components grouped into candidate impressions."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .ink import DETECT_STRENGTH

__all__ = ["InkGroup", "InkMap", "find_ink_groups", "group_mask", "hull_points"]

MIN_COMPONENT_MM2 = 0.05  # smaller specks are noise
GROUP_GAP_MM = 2.0  # characters and outline of one seal are closer than this
MIN_CANDIDATE_MM = 2.0  # a group smaller than this is a stray mark, not an impression
_MAX_COMPONENTS = 1500


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


def find_ink_groups(strength: np.ndarray, px_per_mm: float) -> InkMap:
    """Label red-ink components, drop specks and ruled lines, group neighbours into candidate impressions."""
    mask = (strength >= DETECT_STRENGTH).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = _useful_components(stats, px_per_mm)
    boxes = stats[keep, :4]
    groups = []
    for members in _cluster_boxes(boxes, GROUP_GAP_MM * px_per_mm):
        group = _make_group(keep[members], stats)
        if max(group.bbox[2], group.bbox[3]) >= MIN_CANDIDATE_MM * px_per_mm:
            groups.append(group)
    groups.sort(key=lambda g: g.ink_px, reverse=True)
    return InkMap(strength=strength, labels=labels, groups=tuple(groups))


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


def _cluster_boxes(boxes: np.ndarray, gap: float) -> list[np.ndarray]:
    """Group boxes (N×4 x,y,w,h) whose gaps in both x and y are at most `gap` (transitively)."""
    if len(boxes) == 0:
        return []
    x0, y0 = boxes[:, 0].astype(np.int64), boxes[:, 1].astype(np.int64)
    x1, y1 = x0 + boxes[:, 2], y0 + boxes[:, 3]
    gx = np.maximum(x0[:, None] - x1[None, :], x0[None, :] - x1[:, None])
    gy = np.maximum(y0[:, None] - y1[None, :], y0[None, :] - y1[:, None])
    near = (gx <= gap) & (gy <= gap)
    seen = np.zeros(len(boxes), dtype=bool)
    clusters = []
    for start in range(len(boxes)):
        if seen[start]:
            continue
        seen[start] = True
        stack, members = [start], []
        while stack:
            i = stack.pop()
            members.append(i)
            new = np.flatnonzero(near[i] & ~seen)
            seen[new] = True
            stack.extend(new.tolist())
        clusters.append(np.array(members))
    return clusters


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
