"""Generator B, the carved face of a seal: glyph outlines drawn as vector paths and filled by our own
non-zero-winding rasteriser (no FreeType bitmap), a carver's hand per seal and an optional frame.

Everything here is in mm on the face (x right, y down); `FaceRaster` is the face at `px_per_mm`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont

__all__ = ["Seal", "FaceRaster", "carve_face", "FONT_FILES", "OUTLINES"]

FONT_FILES = {
    ("mincho", "cjk"): "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
    ("gothic", "cjk"): "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    ("mincho", "latin"): "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    ("gothic", "latin"): "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
}
OUTLINES = ("circle", "oval", "square", "none")
_CURVE_STEPS = 8
_SUBPIXEL_BITS = 4


@dataclass(frozen=True)
class Seal:
    """A physical seal. `size_mm` is the face height (frameless: the height of the character block);
    `gap` is the space between characters as a fraction of the character height; `weight_mm` thickens
    (or thins) every stroke; `carving` seeds the carver's hand (placement, proportions, a smooth warp)."""

    text: str
    style: str = "mincho"  # mincho | gothic
    outline: str = "circle"  # circle | oval | square | none (枠なし)
    size_mm: float = 15.0
    gap: float = 0.08
    weight_mm: float = 0.03
    carving: int = 0

    @property
    def seal_id(self) -> str:
        """Two stampings with equal ids come from the same physical seal."""
        return f"B|{self.text}|{self.style}|{self.outline}|{self.size_mm:.2f}|{self.gap:.3f}|" \
               f"{self.weight_mm:.3f}|{self.carving}"


@dataclass(frozen=True, eq=False)
class FaceRaster:
    """Binary face (True where the seal carries ink) at `px_per_mm`, centred in the array."""

    ink: np.ndarray
    px_per_mm: float


class _FlatteningPen(BasePen):
    """Collects glyph contours as polylines (font units, y up); curves are flattened into short segments."""

    def __init__(self, glyph_set) -> None:
        super().__init__(glyph_set)
        self.contours: list[list[tuple[float, float]]] = []
        self._current: list[tuple[float, float]] = []

    def _moveTo(self, pt):
        self._current = [pt]

    def _lineTo(self, pt):
        self._current.append(pt)

    def _curveToOne(self, p1, p2, p3):
        p0 = self._current[-1]
        for t in np.linspace(0, 1, _CURVE_STEPS + 1)[1:]:
            u = 1 - t
            self._current.append(tuple(u**3 * np.array(p0) + 3 * u * u * t * np.array(p1)
                                       + 3 * u * t * t * np.array(p2) + t**3 * np.array(p3)))

    def _qCurveToOne(self, p1, p2):
        p0 = self._current[-1]
        for t in np.linspace(0, 1, _CURVE_STEPS + 1)[1:]:
            u = 1 - t
            self._current.append(tuple(u * u * np.array(p0) + 2 * u * t * np.array(p1) + t * t * np.array(p2)))

    def _closePath(self):
        if len(self._current) >= 3:
            self.contours.append(self._current)
        self._current = []

    _endPath = _closePath


@lru_cache(maxsize=4)
def _font(path: str) -> TTFont:
    return TTFont(path, lazy=True)


@lru_cache(maxsize=1024)
def glyph_contours(char: str, style: str) -> tuple[tuple[np.ndarray, ...], tuple[float, float, float, float]]:
    """Contours of one character (unit-height coordinates, y down) and their tight box (x0, y0, x1, y1).

    Raises KeyError for a character the font does not have.
    """
    path = FONT_FILES[(style, "latin" if char.isascii() else "cjk")]
    font = _font(path)
    name = font.getBestCmap()[ord(char)]
    pen = _FlatteningPen(font.getGlyphSet())
    font.getGlyphSet()[name].draw(pen)
    em = float(font["head"].unitsPerEm)
    contours = tuple(np.array(c, np.float64) * np.array([1.0, -1.0]) / em for c in pen.contours)
    pts = np.concatenate(contours)
    return contours, (pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max())


def _cells(seal: Seal) -> list[tuple[int, int]]:
    """(column from the right, row) of each character: one column for up to 3 characters (latin: one
    row), 2 × 2 for four; several columns are read right to left like a Japanese seal."""
    n = len(seal.text)
    if seal.text.isascii():
        per_row = n if n <= 3 else math.ceil(n / 2)
        return [(per_row - 1 - i % per_row, i // per_row) for i in range(n)]
    if n <= 3:
        return [(0, i) for i in range(n)]
    return [(i // 2, i % 2) for i in range(n)]


def _layout(seal: Seal, rng: np.random.Generator) -> list[tuple[str, np.ndarray]]:
    """Each character's contours placed in mm on the face (centre at 0, 0), with the carver's jitter."""
    cells = _cells(seal)
    cols, rows = max(c for c, _ in cells) + 1, max(r for _, r in cells) + 1
    if seal.outline == "none":
        char_h = seal.size_mm / (rows + (rows - 1) * seal.gap)
        box_w = box_h = None
    else:
        rim = _rim_mm(seal)
        half_w, half_h = _face_half(seal)
        inset = rim + 0.07 * seal.size_mm
        box_w, box_h = 2 * (half_w - inset), 2 * (half_h - inset)
        if seal.outline in ("circle", "oval"):
            phi = math.atan2(box_w * rows, box_h * cols)
            box_w, box_h = box_w * math.cos(phi), box_h * math.sin(phi)
        char_h = box_h / (rows + (rows - 1) * seal.gap)
    latin = seal.text.isascii()
    widths = []
    for ch in seal.text:
        _, (x0, y0, x1, y1) = glyph_contours(ch, seal.style)
        aspect = (x1 - x0) / max(1e-6, y1 - y0)
        widths.append(char_h * (min(aspect, 1.1) if latin else min(max(aspect, 0.55), 1.0)))
    col_w = [max(w for w, (c, _) in zip(widths, cells, strict=True) if c == col) for col in range(cols)]
    gap_mm = seal.gap * char_h
    if box_w is not None:
        squeeze = min(1.0, box_w / (sum(col_w) + gap_mm * (cols - 1)))
        col_w, widths = [w * squeeze for w in col_w], [w * squeeze for w in widths]
    total_w, total_h = sum(col_w) + gap_mm * (cols - 1), rows * char_h + (rows - 1) * gap_mm
    if box_w is None and total_w > total_h:  # frameless: the longer side of the block is the seal's size
        f = total_h / total_w
        col_w, widths, char_h, gap_mm = [w * f for w in col_w], [w * f for w in widths], char_h * f, gap_mm * f
        total_w, total_h = total_w * f, total_h * f
    placed = []
    for ch, w, (col, row) in zip(seal.text, widths, cells, strict=True):
        right = total_w / 2 - sum(col_w[:col]) - gap_mm * col
        cx = right - col_w[col] / 2 + rng.normal(0, 0.035) * char_h
        cy = -total_h / 2 + row * (char_h + gap_mm) + char_h / 2 + rng.normal(0, 0.035) * char_h
        contours, (x0, y0, x1, y1) = glyph_contours(ch, seal.style)
        glyph_aspect = (x1 - x0) / max(1e-6, y1 - y0)
        height = min(char_h, 1.25 * w / glyph_aspect)  # a flat glyph (一) stays flat, a tall one (1) thin
        sx, sy = w * rng.uniform(0.93, 1.04), height * rng.uniform(0.93, 1.04)
        for contour in contours:
            u = (contour - [(x0 + x1) / 2, (y0 + y1) / 2]) / [max(1e-6, x1 - x0), max(1e-6, y1 - y0)]
            placed.append((ch, u * [sx, sy] + [cx, cy]))
    return placed


def _rim_mm(seal: Seal) -> float:
    return max(0.45, (0.05 + 0.03 * ((seal.carving % 7) / 6)) * seal.size_mm)


def _face_half(seal: Seal) -> tuple[float, float]:
    aspect = {"circle": 1.0, "square": 1.0, "oval": 0.72, "none": 1.0}[seal.outline]
    return seal.size_mm * aspect / 2, seal.size_mm / 2


def _fill_nonzero(polys: list[np.ndarray], shape: tuple[int, int], px_per_mm: float) -> np.ndarray:
    """Non-zero winding fill of closed polygons (mm, centred) on an array of `shape`."""
    acc = np.zeros(shape, np.int16)
    scale = px_per_mm * (1 << _SUBPIXEL_BITS)
    centre = np.array([(shape[1] - 1) / 2, (shape[0] - 1) / 2]) * (1 << _SUBPIXEL_BITS)
    one = np.zeros(shape, np.uint8)
    for poly in polys:
        pts = np.round(poly * scale + centre).astype(np.int32)
        x0, y0 = max(0, (pts[:, 0].min() >> _SUBPIXEL_BITS) - 1), max(0, (pts[:, 1].min() >> _SUBPIXEL_BITS) - 1)
        x1 = min(shape[1], (pts[:, 0].max() >> _SUBPIXEL_BITS) + 2)
        y1 = min(shape[0], (pts[:, 1].max() >> _SUBPIXEL_BITS) + 2)
        local = one[y0:y1, x0:x1]
        local[:] = 0
        cv2.fillPoly(local, [pts - [x0 << _SUBPIXEL_BITS, y0 << _SUBPIXEL_BITS]], 1, cv2.LINE_8, _SUBPIXEL_BITS)
        area = 0.5 * float(np.dot(poly[:, 0], np.roll(poly[:, 1], -1)) - np.dot(poly[:, 1], np.roll(poly[:, 0], -1)))
        acc[y0:y1, x0:x1] += np.int16(1 if area > 0 else -1) * local
    return acc != 0


def _frame(seal: Seal, shape: tuple[int, int], px_per_mm: float) -> np.ndarray:
    """The frame ring (empty for a frameless seal)."""
    if seal.outline == "none":
        return np.zeros(shape, bool)
    ys, xs = np.indices(shape, dtype=np.float32)
    dx, dy = (xs - (shape[1] - 1) / 2) / px_per_mm, (ys - (shape[0] - 1) / 2) / px_per_mm
    hw, hh = _face_half(seal)
    rim = _rim_mm(seal)
    if seal.outline in ("circle", "oval"):
        outer = (dx / hw) ** 2 + (dy / hh) ** 2 <= 1
        inner = (dx / (hw - rim)) ** 2 + (dy / (hh - rim)) ** 2 <= 1
        return outer & ~inner
    r = 0.03 * seal.size_mm + 0.02 * (seal.carving % 5)

    def inside(half_w: float, half_h: float, radius: float) -> np.ndarray:
        qx, qy = np.abs(dx) - (half_w - radius), np.abs(dy) - (half_h - radius)
        return np.hypot(np.maximum(qx, 0), np.maximum(qy, 0)) + np.minimum(np.maximum(qx, qy), 0) <= radius

    return inside(hw, hh, r) & ~inside(hw - rim, hh - rim, max(0.0, r - rim / 2))


def _carver_warp(ink: np.ndarray, px_per_mm: float, rng: np.random.Generator) -> np.ndarray:
    """A smooth displacement (about 0.05–0.12 mm): the carver's hand, the same at every stamping."""
    h, w = ink.shape
    amp = rng.uniform(0.05, 0.12) * px_per_mm
    fx = cv2.resize(rng.normal(0, 1, (6, 6)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC) * amp
    fy = cv2.resize(rng.normal(0, 1, (6, 6)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC) * amp
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    warped = cv2.remap(ink.astype(np.float32), xs + fx, ys + fy, cv2.INTER_LINEAR)
    return warped >= 0.5


def carve_face(seal: Seal, px_per_mm: float) -> FaceRaster:
    """The seal's face at `px_per_mm`: characters and frame, strokes thickened by the seal's weight.

    Raises ValueError for an unknown outline or style, or an empty text.
    """
    if seal.outline not in OUTLINES or seal.style not in ("mincho", "gothic") or not seal.text:
        raise ValueError("invalid seal")
    rng = np.random.default_rng(seal.carving)
    placed = _layout(seal, rng)
    pts = np.concatenate([p for _, p in placed])
    half_w, half_h = _face_half(seal)
    extent_w = max(2 * half_w, 2 * np.abs(pts[:, 0]).max()) + 1.0 + 2 * max(0.0, seal.weight_mm)
    extent_h = max(2 * half_h, 2 * np.abs(pts[:, 1]).max()) + 1.0 + 2 * max(0.0, seal.weight_mm)
    shape = (int(math.ceil(extent_h * px_per_mm)) | 1, int(math.ceil(extent_w * px_per_mm)) | 1)
    ink = _fill_nonzero([p for _, p in placed], shape, px_per_mm)
    weight_px = seal.weight_mm * px_per_mm
    if weight_px > 0:
        ink = cv2.distanceTransform((~ink).astype(np.uint8), cv2.DIST_L2, 5) <= weight_px
    elif weight_px < 0:
        ink = cv2.distanceTransform(ink.astype(np.uint8), cv2.DIST_L2, 5) > -weight_px
    ink = _carver_warp(ink | _frame(seal, shape, px_per_mm), px_per_mm, rng)
    return FaceRaster(ink=ink, px_per_mm=px_per_mm)
