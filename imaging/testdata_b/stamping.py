"""Generator B, one stamping and its scan: ink spread, uneven pressure, porous ink, a small paper distortion,
any rotation over 360°, paper texture (fibres, off-white or yellowish tone), scanner blur at 200–600 dpi, and
colour PNG, JPEG or 1-bit (thresholded, two-colour) files.

The face is resampled onto the page by its own path (anti-aliasing blur + one affine warp from the face
raster), not drawn at the scan resolution like imaging/testdata.py.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..scan import Scan, load_scan
from .face import FONT_FILES, Seal, carve_face

__all__ = ["Impression", "GeneratedScanB", "press", "FACE_PX_PER_MM"]

FACE_PX_PER_MM = 40.0
FACE_MAX_PX = 1300


@dataclass(frozen=True)
class Impression:
    """How one stamping and its scan went. `spread_mm` grows (or shrinks) every stroke edge; `pressure`
    is the ink reaching the paper (1 = full); `tilt` makes one side fainter (0..0.6); `porosity` is the
    share of the inked face left pale by a dry or uneven pad; `distortion_mm` bends the paper slightly."""

    rotation_deg: float = 0.0
    spread_mm: float = 0.02
    pressure: float = 0.9
    tilt: float = 0.1
    porosity: float = 0.05
    distortion_mm: float = 0.02
    bleed_mm: float = 0.02
    dpi: int = 300
    optics_mm: float = 0.035  # scanner blur (Gaussian sigma)
    paper: str = "white"  # white | cream | recycled
    form: bool = False
    mode: str = "png"  # png | jpeg | bilevel
    jpeg_quality: int = 85
    noise: float = 2.0
    seed: int = 0


@dataclass(frozen=True, eq=False)
class GeneratedScanB:
    """A scan from generator B with its truth: the smallest square (any orientation) around the ink
    that reached the paper, measured on the face raster."""

    data: bytes
    seal: Seal
    impression: Impression
    true_square_mm: float

    @property
    def seal_id(self) -> str:
        return self.seal.seal_id

    @cached_property
    def scan(self) -> Scan:
        return load_scan(self.data)

    def to_scan(self) -> Scan:
        return self.scan


def press(seal: Seal, imp: Impression) -> GeneratedScanB:
    """Stamp the seal on paper and scan it. Raises ValueError for an invalid seal or mode."""
    if imp.mode not in ("png", "jpeg", "bilevel"):
        raise ValueError("unknown scan mode")
    rng = np.random.default_rng(imp.seed)
    px_per_mm = min(FACE_PX_PER_MM, FACE_MAX_PX / (seal.size_mm + 4.0))
    face = carve_face(seal, px_per_mm)
    contact = _contact(face.ink, imp, px_per_mm, rng)
    truth = _min_square_mm(contact, px_per_mm)
    density = _ink_density(contact, imp, px_per_mm, rng)
    page_mm, centre_mm = _page(seal, imp, rng)
    ink_layer = _onto_page(density, px_per_mm, imp, page_mm, centre_mm)
    rgb, print_layer = _paper_and_print(ink_layer, imp, page_mm, centre_mm, seal, rng)
    return GeneratedScanB(_encode(rgb, print_layer, ink_layer, imp, rng), seal, imp, truth)


def _contact(face: np.ndarray, imp: Impression, px_per_mm: float, rng: np.random.Generator) -> np.ndarray:
    """Where the inked face touched the paper: spread or shrunk edges, then a small smooth distortion."""
    spread = imp.spread_mm * px_per_mm
    if spread > 0:
        face = cv2.distanceTransform((~face).astype(np.uint8), cv2.DIST_L2, 5) <= spread
    elif spread < 0:
        face = cv2.distanceTransform(face.astype(np.uint8), cv2.DIST_L2, 5) > -spread
    h, w = face.shape
    amp = imp.distortion_mm * px_per_mm
    field = [cv2.resize(rng.normal(0, 1, (4, 4)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC) * amp
             for _ in range(2)]
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(face.astype(np.float32), xs + field[0], ys + field[1], cv2.INTER_LINEAR) >= 0.5


def _min_square_mm(ink: np.ndarray, px_per_mm: float) -> float:
    """Smallest enclosing square side over all orientations (0.05° steps), pixel areas included."""
    contours, _ = cv2.findContours(ink.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    centres = cv2.convexHull(np.concatenate(contours)).reshape(-1, 2).astype(np.float64)
    corners = np.concatenate([centres + [dx, dy] for dx in (-0.5, 0.5) for dy in (-0.5, 0.5)])
    hull = cv2.convexHull(corners.astype(np.float32)).reshape(-1, 2).astype(np.float64)
    t = np.deg2rad(np.arange(0.0, 90.0, 0.05))[:, None]
    u = hull[:, 0][None, :] * np.cos(t) - hull[:, 1][None, :] * np.sin(t)
    v = hull[:, 0][None, :] * np.sin(t) + hull[:, 1][None, :] * np.cos(t)
    side = np.maximum(u.max(1) - u.min(1), v.max(1) - v.min(1))
    return float(side.min()) / px_per_mm


def _ink_density(contact: np.ndarray, imp: Impression, px_per_mm: float, rng: np.random.Generator) -> np.ndarray:
    """Ink laid on the paper (0..1.2): pressure with a tilt across the face, porous pale spots, bleeding."""
    h, w = contact.shape
    angle = rng.uniform(0, 2 * math.pi)
    ys, xs = np.indices((h, w), dtype=np.float32)
    ramp = ((xs - w / 2) * math.cos(angle) + (ys - h / 2) * math.sin(angle)) / (0.5 * max(h, w))
    slow = cv2.resize(rng.normal(0, 1, (5, 5)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    level = imp.pressure * np.clip(1.0 - imp.tilt * (ramp + 1) / 2 + 0.06 * slow, 0.25, 1.15)
    grain = max(3, int(w / (0.12 * px_per_mm)))
    pores = cv2.resize(rng.random((grain, grain)).astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    pale = pores < imp.porosity * (1.4 - level)
    density = contact * level * np.where(pale, 0.3, 1.0)
    if imp.bleed_mm > 0:
        density = cv2.GaussianBlur(density.astype(np.float32), (0, 0), imp.bleed_mm * px_per_mm)
    return density.astype(np.float32)


def _page(seal: Seal, imp: Impression, rng: np.random.Generator) -> tuple[tuple[float, float], tuple[float, float]]:
    """Page size (mm) and where the seal's centre lands on it."""
    if imp.form:
        return (120.0, 80.0), (88.0 + rng.uniform(-3, 3), 48.0 + rng.uniform(-3, 3))
    side = max(48.0, 2.3 * seal.size_mm)
    return (side, side), (side / 2 + rng.uniform(-4, 4), side / 2 + rng.uniform(-4, 4))


def _onto_page(density: np.ndarray, face_px_per_mm: float, imp: Impression, page_mm: tuple[float, float],
               centre_mm: tuple[float, float]) -> np.ndarray:
    """The face's ink resampled onto the page at the scan's dpi, rotated by `rotation_deg` (any angle)."""
    scan_px_per_mm = imp.dpi / 25.4
    ratio = scan_px_per_mm / face_px_per_mm
    smooth = cv2.GaussianBlur(density, (0, 0), max(0.3, 0.45 / ratio))  # anti-aliasing before the warp
    h, w = density.shape
    matrix = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), imp.rotation_deg, ratio)
    matrix[:, 2] += np.array(centre_mm) * scan_px_per_mm - np.array([(w - 1) / 2, (h - 1) / 2])
    size = (int(round(page_mm[0] * scan_px_per_mm)), int(round(page_mm[1] * scan_px_per_mm)))
    layer = cv2.warpAffine(smooth, matrix, size, flags=cv2.INTER_LINEAR, borderValue=0)
    return cv2.GaussianBlur(layer, (0, 0), max(0.2, imp.optics_mm * scan_px_per_mm))


_PAPER = {"white": (246, 245, 241), "cream": (244, 238, 220), "recycled": (232, 228, 214)}


def _paper_and_print(ink: np.ndarray, imp: Impression, page_mm: tuple[float, float], centre_mm: tuple[float, float],
                     seal: Seal, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Paper with fibres and mottling, the printed form (grey-black text and ruled lines) if any, and the
    vermilion ink laid over both as a subtractive colour (RGB float32)."""
    h, w = ink.shape
    px = imp.dpi / 25.4
    mottle = cv2.resize(rng.normal(0, 1, (max(2, h // 40), max(2, w // 40))).astype(np.float32), (w, h),
                        interpolation=cv2.INTER_CUBIC)
    fibres = np.zeros((h, w), np.uint8)
    for _ in range(int(page_mm[0] * page_mm[1] / (30.0 if imp.paper == "recycled" else 120.0))):
        x, y, a = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0, math.pi)
        length = rng.uniform(0.4, 2.0) * px
        cv2.line(fibres, (int(x), int(y)), (int(x + length * math.cos(a)), int(y + length * math.sin(a))),
                 int(rng.integers(4, 14)), 1)
    tone = cv2.GaussianBlur(fibres.astype(np.float32), (0, 0), 0.6)
    printed = _form_print(page_mm, centre_mm, seal, px, rng) if imp.form else np.zeros((h, w), np.float32)
    keep = cv2.multiply(1.0 + 0.008 * mottle, 1.0 - 0.85 * printed)
    colour = np.array(_PAPER[imp.paper], np.float32) + rng.uniform(-3, 3, 3).astype(np.float32)
    ink_rgb = np.array([rng.uniform(205, 232), rng.uniform(35, 75), rng.uniform(30, 60)], np.float32) / 255.0
    ys, xs = np.nonzero(ink > 1e-3)
    box = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1)) if len(ys) else (slice(0, 0),) * 2
    density = np.clip(ink[box], 0, 1.3)
    channels = []
    for c in range(3):
        channel = cv2.subtract(cv2.multiply(keep, float(colour[c])), tone)
        # Beer-Lambert-like: more ink, deeper colour (transmission ink_rgb ** density)
        channel[box] = cv2.multiply(channel[box], cv2.exp(density * float(np.log(ink_rgb[c]))))
        channels.append(channel)
    return cv2.merge(channels), printed


def _form_print(page_mm: tuple[float, float], centre_mm: tuple[float, float], seal: Seal, px: float,
                rng: np.random.Generator) -> np.ndarray:
    """Coverage of a printed application form: title, field labels, ruled boxes and the 印 box."""
    size = (int(round(page_mm[0] * px)), int(round(page_mm[1] * px)))
    img = Image.new("L", size, 0)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT_FILES[("mincho", "cjk")], max(6, int(3.5 * px)))
    big = ImageFont.truetype(FONT_FILES[("mincho", "cjk")], max(8, int(6.5 * px)))
    draw.text((int(10 * px), int(6 * px)), "印鑑登録申請書（控）", fill=255, font=big)
    line = max(1, int(round(0.2 * px)))
    for i, label in enumerate(["申請者住所", "申請者氏名", "生年月日", "連絡先"]):
        y = (22 + 16 * i) * px
        draw.rectangle([int(8 * px), int(y), int(60 * px), int(y + 16 * px)], outline=255, width=line)
        draw.text((int(11 * px), int(y + 5 * px)), label, fill=255, font=font)
    half = max(16.0, 0.75 * seal.size_mm + 4.0)
    cx, cy = centre_mm
    draw.rectangle([int((cx - half) * px), int((cy - half) * px), int((cx + half) * px), int((cy + half) * px)],
                   outline=255, width=line)
    draw.text((int((cx - half) * px), int((cy - half - 5) * px)), "届出印", fill=255, font=font)
    coverage = np.asarray(img, np.float32) / 255.0
    return coverage * rng.uniform(0.8, 1.0)


def _encode(rgb: np.ndarray, printed: np.ndarray, ink: np.ndarray, imp: Impression, rng: np.random.Generator) -> bytes:
    """The scanner's file: colour PNG, JPEG (4:2:0) or a 1-bit thresholded scan stored as a two/three-colour
    palette PNG (paper, ink and print are each flat colours)."""
    grain = np.empty(rgb.shape[:2], np.float32)
    cv2.setRNGSeed(imp.seed % 2**31)  # OpenCV's own generator, seeded: the same stamping gives the same file
    cv2.randn(grain, 0.0, float(imp.noise))
    pixels = cv2.convertScaleAbs(cv2.add(rgb, cv2.merge([grain] * 3)))  # channels in RGB order
    buf = io.BytesIO()
    if imp.mode == "bilevel":
        level = rng.uniform(0.3, 0.5) * float(np.percentile(ink[ink > 0.05], 95)) if (ink > 0.05).any() else 0.5
        index = np.where(ink >= level, 1, np.where(printed >= 0.5, 2, 0)).astype(np.uint8)
        image = Image.fromarray(index, "P")
        image.putpalette([250, 250, 250, 220, 40, 40, 20, 20, 20] + [0] * (256 - 3) * 3)
        image.save(buf, format="PNG", dpi=(imp.dpi, imp.dpi), bits=2)
    elif imp.mode == "jpeg":
        Image.fromarray(pixels, "RGB").save(buf, format="JPEG", quality=imp.jpeg_quality, subsampling=2,
                                            dpi=(imp.dpi, imp.dpi))
    else:
        Image.fromarray(pixels, "RGB").save(buf, format="PNG", compress_level=1, dpi=(imp.dpi, imp.dpi))
    return buf.getvalue()
