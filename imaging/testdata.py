"""Deterministic synthetic test data: seals in IPAex fonts, stamped on scans with known true size and identity."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .geometry import min_square_side
from .samples import (
    FONT_GOTHIC,
    FONT_MINCHO,
    PAPER_RGB,
    PRINT_RGB,
    SEAL_RGB,
    SHAPE_ASPECT,
    _encode,
    _form_coverage,
    _paste_centred,
    _rotate,
    _rounded_rect_distance,
    text_box_mm,
)
from .scan import Scan, load_scan

__all__ = [
    "SealSpec",
    "Stamping",
    "GeneratedScan",
    "FONTS",
    "A4_MM",
    "render_seal",
    "stamp",
    "random_spec",
    "random_stamping",
    "measurement_set",
    "pair_set",
    "variant_of",
]

FONTS = {"mincho": FONT_MINCHO, "gothic": FONT_GOTHIC}
A4_MM = (210.0, 297.0)
KANJI_NAMES = ["山", "林", "森", "山田", "川田", "田中", "佐藤", "鈴木", "高橋", "渡辺", "伊藤", "中村", "小林",
               "加藤", "吉田", "山口", "松本", "井上", "木村", "清水", "斎藤", "山本", "佐々木", "長谷川", "小野寺",
               "五十嵐", "山田太郎", "田中花子", "鈴木一郎", "佐藤優子"]
KANA_NAMES = ["さとう", "やまだ", "すずき", "ヤマダ", "タナカ", "いとう", "ミキ", "はなこ"]
ROMAN_NAMES = ["SATO", "YAMADA", "ITO", "TANAKA", "KIM", "MORI"]
LAYOUTS = ("vertical", "horizontal")


@dataclass(frozen=True)
class SealSpec:
    """A physical seal: its name, font, outline shape, height in mm, whether it has a frame, text layout."""

    text: str
    font: str = "mincho"
    shape: str = "round"
    size_mm: float = 15.0
    frame: bool = True
    layout: str = "vertical"

    @property
    def seal_id(self) -> str:
        """Stable identity: two stampings of equal specs come from the same seal."""
        return f"{self.text}|{self.font}|{self.shape}|{self.size_mm:.2f}|{int(self.frame)}|{self.layout}"


@dataclass(frozen=True)
class Stamping:
    """One stamping and scan of a seal: orientation, ink, defects, placement, resolution and background."""

    rotation_deg: float = 0.0
    skew_deg: float = 0.0  # the whole sheet on the scanner glass
    ink: float = 1.0
    dropout: float = 0.0  # 0..1 fraction of the impression area with missing ink
    blur_px: float = 0.0
    noise: float = 1.6
    dx_mm: float = 0.0
    dy_mm: float = 0.0
    dpi: int = 300
    background: str = "plain"  # 'plain' | 'form' | 'a4'
    fmt: str = "PNG"
    seed: int = 0


@dataclass(frozen=True, eq=False)
class GeneratedScan:
    """A generated scan (RGB pixels, encoded on demand) with the ground truth."""

    rgb: np.ndarray
    spec: SealSpec
    stamping: Stamping
    true_square_mm: float

    @property
    def seal_id(self) -> str:
        """Identity of the seal that made the impression."""
        return self.spec.seal_id

    @cached_property
    def data(self) -> bytes:
        """The scan encoded in the stamping's format with its dpi (what a scanner would produce)."""
        return _encode(self.rgb, self.stamping.dpi, self.stamping.fmt.upper())

    def to_scan(self) -> Scan:
        """The decoded Scan; lossless formats skip the encode/decode round trip (same pixels)."""
        if self.stamping.fmt.upper() == "JPEG":
            return load_scan(self.data)
        bgr = np.ascontiguousarray(self.rgb[..., ::-1])
        return Scan(image=bgr, dpi=float(self.stamping.dpi), dpi_source="file")


@lru_cache(maxsize=256)
def _glyph(char: str, font: str) -> np.ndarray:
    """Tight bitmap (uint8 0..255) of one character rendered at 400 px in the given IPAex font."""
    face = ImageFont.truetype(FONTS[font], 400)
    img = Image.new("L", (600, 600), 0)
    ImageDraw.Draw(img).text((100, 40), char, fill=255, font=face)
    box = img.getbbox() or (0, 0, 600, 600)
    return np.asarray(img.crop(box))


def _grid(text: str, layout: str) -> tuple[int, int]:
    """(columns, rows) of the character grid."""
    n = len(text)
    if text.isascii():
        rows = 1 if n <= 3 else 2
        return math.ceil(n / rows), rows
    if layout == "horizontal":
        cols = n if n <= 3 else 2
        return cols, math.ceil(n / cols)
    cols = 1 if n <= 3 else 2
    return cols, math.ceil(n / cols)


def _cell_origin(i: int, text: str, layout: str, cols: int, rows: int) -> tuple[int, int]:
    """(column from the left, row) of character i: vertical = right column first, top to bottom."""
    if text.isascii() or layout == "horizontal":
        return i % cols, i // cols
    col, row = divmod(i, rows)
    return cols - 1 - col, row


def _draw_text(canvas: np.ndarray, spec: SealSpec, inner_half_mm: tuple[float, float], px_per_mm: float) -> None:
    """Draw the characters stretched into the grid cells inscribed in the inner outline, in place."""
    cols, rows = _grid(spec.text, spec.layout)
    box_w, box_h = text_box_mm(inner_half_mm, cols, rows, inscribed=spec.shape in ("round", "oval") and spec.frame)
    cell_w, cell_h = box_w / cols * px_per_mm, box_h / rows * px_per_mm
    cy0 = canvas.shape[0] / 2 - box_h * px_per_mm / 2
    cx0 = canvas.shape[1] / 2 - box_w * px_per_mm / 2
    stroke = max(1, int(round(max(0.015 * min(cell_w, cell_h), 0.08 * px_per_mm))))  # fonts keep their contrast
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * stroke + 1, 2 * stroke + 1))
    for i, char in enumerate(spec.text):
        col, row = _cell_origin(i, spec.text, spec.layout, cols, rows)
        x0 = int(round(cx0 + col * cell_w + 0.04 * cell_w))
        y0 = int(round(cy0 + row * cell_h + 0.04 * cell_h))
        w, h = max(1, int(round(cell_w * 0.92))), max(1, int(round(cell_h * 0.92)))
        glyph = cv2.resize(_glyph(char, spec.font), (w, h), interpolation=cv2.INTER_AREA)
        glyph = cv2.dilate(((glyph > 110) * 255).astype(np.uint8), kernel)
        region = canvas[y0 : y0 + h, x0 : x0 + w]
        np.maximum(region, glyph[: region.shape[0], : region.shape[1]], out=region)


def render_seal(spec: SealSpec, px_per_mm: float) -> tuple[np.ndarray, float]:
    """Ink coverage (float32 0..1) of the seal face at `px_per_mm` and its true enclosing-square side in mm.

    Raises ValueError for an unknown shape or font.
    """
    if spec.shape not in SHAPE_ASPECT or spec.font not in FONTS or not spec.text:
        raise ValueError("invalid seal spec")
    ow, oh = spec.size_mm * SHAPE_ASPECT[spec.shape], spec.size_mm
    cw, ch = int(math.ceil(ow * px_per_mm)) + 8, int(math.ceil(oh * px_per_mm)) + 8
    ss = max(1, min(4, int(3200 // max(cw, ch))))
    xs = ((np.arange(cw * ss) + 0.5) / ss - 0.5 - (cw - 1) / 2) / px_per_mm
    ys = ((np.arange(ch * ss) + 0.5) / ss - 0.5 - (ch - 1) / 2) / px_per_mm
    dx, dy = np.meshgrid(xs.astype(np.float32), ys.astype(np.float32))
    rim = max(0.5, 0.055 * spec.size_mm)
    if spec.shape in ("round", "oval"):
        a, b = ow / 2, oh / 2
        outer = (dx / a) ** 2 + (dy / b) ** 2 <= 1.0
        inner = (dx / (a - rim)) ** 2 + (dy / (b - rim)) ** 2 <= 1.0
    else:
        dist = _rounded_rect_distance(dx, dy, ow / 2, oh / 2, 0.04 * min(ow, oh))
        outer, inner = dist <= 0, dist <= -rim
    hi = ((outer & ~inner) * 255).astype(np.uint8) if spec.frame else np.zeros(dx.shape, np.uint8)
    gap = 0.06 * spec.size_mm
    inset = rim + gap if spec.frame else 0.0
    _draw_text(hi, spec, (ow / 2 - inset, oh / 2 - inset), px_per_mm * ss)
    true_mm = _true_square_mm(hi, px_per_mm * ss)
    low = cv2.resize(hi, (cw, ch), interpolation=cv2.INTER_AREA)
    return low.astype(np.float32) / 255.0, true_mm


def _true_square_mm(hi: np.ndarray, px_per_mm: float) -> float:
    """Smallest enclosing square (any orientation) of the supersampled ink, in mm."""
    contours, _ = cv2.findContours((hi > 127).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    hull = cv2.convexHull(np.concatenate(contours)).reshape(-1, 2).astype(np.float64)
    return min_square_side(hull) / px_per_mm


def _rotate_patch(patch: np.ndarray, angle_deg: float) -> np.ndarray:
    """Rotate a coverage patch counter-clockwise on a canvas large enough to hold it."""
    h, w = patch.shape
    side = int(math.ceil(math.hypot(w, h))) + 4
    canvas = np.zeros((side, side), np.float32)
    y0, x0 = (side - h) // 2, (side - w) // 2
    canvas[y0 : y0 + h, x0 : x0 + w] = patch
    return _rotate(canvas, angle_deg)


def _defects(cov: np.ndarray, st: Stamping, px_per_mm: float, rng: np.random.Generator) -> np.ndarray:
    """Ink strength, uneven pressure, dropout blotches and blur applied to a coverage patch."""
    h, w = cov.shape
    coarse = rng.normal(0.0, 1.0, (8, 8)).astype(np.float32)
    pressure = np.clip(0.93 + 0.04 * cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC), 0.8, 1.0)
    out = cov * st.ink * pressure
    if st.dropout > 0:
        cells = max(4, int(w / (0.5 * px_per_mm)))
        blot = cv2.resize(rng.random((cells, cells), dtype=np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
        out *= np.where(blot < st.dropout, 0.1, 1.0).astype(np.float32)
    if st.blur_px > 0:
        out = cv2.GaussianBlur(out, (0, 0), st.blur_px)
    return out


def stamp(spec: SealSpec, st: Stamping) -> GeneratedScan:
    """Render one stamping of the seal onto a scan (PNG/JPEG/TIFF with dpi) and return it with ground truth.

    Raises ValueError for an invalid spec, background or format.
    """
    rng = np.random.default_rng(st.seed)
    px_per_mm = st.dpi / 25.4
    cov, true_mm = render_seal(spec, px_per_mm)
    seal = _rotate_patch(_defects(cov, st, px_per_mm, rng), st.rotation_deg)
    form, page_mm, centre_mm = _background(spec, st, px_per_mm, rng)
    size = (int(round(page_mm[0] * px_per_mm)), int(round(page_mm[1] * px_per_mm)))
    centre = ((centre_mm[0] + st.dx_mm) * px_per_mm, (centre_mm[1] + st.dy_mm) * px_per_mm)
    ink = _rotate(_paste_centred(seal, size, centre), st.skew_deg)
    rgb = _compose(ink, None if form is None else _rotate(form, st.skew_deg), st.noise, rng)
    return GeneratedScan(rgb, spec, st, true_mm)


def _compose(ink: np.ndarray, form: np.ndarray | None, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Paper tone × printed form × vermilion ink (multiplicative, like real ink) + seeded scanner noise."""
    grain = rng.standard_normal(ink.shape, dtype=np.float32)
    grain *= noise
    channels = []
    for c in range(3):
        ch = cv2.addWeighted(ink, -(1.0 - SEAL_RGB[c] / 255.0), ink, 0.0, 1.0)
        if form is not None:
            ch = cv2.multiply(ch, cv2.addWeighted(form, -(1.0 - PRINT_RGB[c] / 255.0), form, 0.0, 1.0))
        channels.append(cv2.scaleAdd(ch, float(PAPER_RGB[c]), grain))
    return cv2.convertScaleAbs(cv2.merge(channels))


def _background(
    spec: SealSpec, st: Stamping, px_per_mm: float, rng: np.random.Generator
) -> tuple[np.ndarray | None, tuple[float, float], tuple[float, float]]:
    """Form print coverage (or None), page size in mm and the seal centre in mm."""
    if st.background == "plain":
        side = max(2.2 * spec.size_mm * 1.42, 45.0)
        return None, (side, side), (side / 2, side / 2)
    if st.background == "form":
        page = (190.0, 130.0)
    elif st.background == "a4":
        page = A4_MM
    else:
        raise ValueError("unknown background")
    centre = (page[0] - 32.0, page[1] - 40.0) if st.background == "form" else (170.0, 120.0)
    box = max(34.0, spec.size_mm * 1.42 + 8.0)
    return _form_coverage(page, px_per_mm, centre, box, rng), page, centre


def random_spec(rng: np.random.Generator, size_range: tuple[float, float] = (5.0, 30.0)) -> SealSpec:
    """A random seal: kanji (mostly), kana or romanised name, any font, shape, frame, size and layout."""
    kind = rng.choice(["kanji", "kanji", "kanji", "kana", "roman"])
    names = {"kanji": KANJI_NAMES, "kana": KANA_NAMES, "roman": ROMAN_NAMES}[str(kind)]
    text = str(names[int(rng.integers(len(names)))])
    shape = str(rng.choice(list(SHAPE_ASPECT)))
    return SealSpec(
        text=text,
        font=str(rng.choice(list(FONTS))),
        shape=shape,
        size_mm=round(float(rng.uniform(*size_range)), 2),
        frame=bool(rng.random() < 0.85),
        layout=str(rng.choice(LAYOUTS)),
    )


def random_stamping(rng: np.random.Generator, background: str | None = None) -> Stamping:
    """A random stamping: any rotation, 200–600 dpi, ink 0.45–1, dropout, blur, noise, offset, ±5° skew."""
    return Stamping(
        rotation_deg=round(float(rng.uniform(-180, 180)), 2),
        skew_deg=round(float(rng.uniform(-5, 5)), 2),
        ink=round(float(rng.uniform(0.45, 1.0)), 3),
        dropout=round(float(rng.choice([0.0, 0.0, rng.uniform(0.02, 0.12)])), 3),
        blur_px=round(float(rng.choice([0.0, rng.uniform(0.4, 1.2)])), 2),
        noise=round(float(rng.uniform(1.6, 5.0)), 2),
        dx_mm=round(float(rng.uniform(-3, 3)), 2),
        dy_mm=round(float(rng.uniform(-3, 3)), 2),
        dpi=int(rng.choice([200, 300, 300, 400, 600])),
        background=background or str(rng.choice(["plain", "plain", "form"])),
        fmt=str(rng.choice(["PNG", "PNG", "PNG", "JPEG"])),
        seed=int(rng.integers(2**31)),
    )


def measurement_set(count: int, seed: int = 0) -> Iterator[GeneratedScan]:
    """`count` deterministic generated scans with a known true square size (5–30 mm)."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        spec = random_spec(rng)
        st = random_stamping(rng)
        if st.dpi >= 600 and spec.size_mm > 20:  # keep the plain sheets of big seals reasonably small
            st = replace(st, dpi=400)
        yield stamp(spec, st)


def variant_of(spec: SealSpec, rng: np.random.Generator) -> SealSpec:
    """A different seal that is easily confused with `spec`: same name in another font, size, layout or
    outline, or another name in the same font, size and outline."""
    kind = str(rng.choice(["font", "size", "layout", "shape", "name", "name"]))
    if kind == "font":
        return replace(spec, font="gothic" if spec.font == "mincho" else "mincho")
    if kind == "size":
        delta = float(rng.uniform(1.0, 2.5)) * (1 if rng.random() < 0.5 or spec.size_mm < 9 else -1)
        return replace(spec, size_mm=round(spec.size_mm + delta, 2))
    if kind == "layout" and len(spec.text) >= 2 and not spec.text.isascii():
        return replace(spec, layout="horizontal" if spec.layout == "vertical" else "vertical")
    if kind == "shape" and spec.frame:  # without a frame the outline shape is not printed
        others = [s for s in SHAPE_ASPECT if s != spec.shape]
        return replace(spec, shape=str(rng.choice(others)))
    names = KANJI_NAMES if not spec.text.isascii() else ROMAN_NAMES
    same_len = [n for n in names if len(n) == len(spec.text) and n != spec.text] or [
        n for n in names if n != spec.text
    ]
    return replace(spec, text=str(rng.choice(same_len)))


def pair_set(count: int, seed: int = 0) -> Iterator[tuple[GeneratedScan, GeneratedScan, bool]]:
    """`count` same-seal and `count` different-seal pairs, alternating: (a, b, same)."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        spec = random_spec(rng, (8.0, 25.0))
        a = stamp(spec, _pair_stamping(rng))
        yield a, stamp(spec, _pair_stamping(rng)), True
        yield a, stamp(variant_of(spec, rng), _pair_stamping(rng)), False


def _pair_stamping(rng: np.random.Generator) -> Stamping:
    """A stamping for comparison pairs (plain or form sheet, moderate defects)."""
    st = random_stamping(rng)
    return replace(st, dpi=int(rng.choice([200, 300, 400])))
