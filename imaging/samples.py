"""Synthetic scans of seal impressions (vermilion outline + Mincho characters) for demos and tests."""

from __future__ import annotations

import io
import math

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = ["make_seal_scan", "seal_outer_size_mm", "SHAPE_ASPECT", "FONT_MINCHO"]

FONT_MINCHO = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"
FONT_GOTHIC = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
SHAPE_ASPECT = {"round": 1.0, "square": 1.0, "oval": 0.75, "rectangle": 0.6}  # width / height
SEAL_RGB = np.array([215, 50, 40], np.float32)
PRINT_RGB = np.array([28, 28, 32], np.float32)
PAPER_RGB = np.array([250, 248, 242], np.float32)
FORM_MM = (190.0, 130.0)
_FORMATS = {"PNG", "JPEG", "TIFF"}


def seal_outer_size_mm(shape: str, size_mm: float) -> tuple[float, float]:
    """Outer (width, height) in mm of a generated seal: `size_mm` is the height, width follows the shape."""
    return size_mm * SHAPE_ASPECT[shape], size_mm


def make_seal_scan(
    text: str = "山田",
    *,
    dpi: int = 300,
    size_mm: float = 15.0,
    shape: str = "round",
    rotation_deg: float = 0.0,
    ink: float = 1.0,
    on_form: bool = False,
    seed: int = 0,
    fmt: str = "PNG",
) -> bytes:
    """Encoded image (PNG/JPEG/TIFF with dpi metadata) of a synthetic seal impression; deterministic.

    The seal is centred on a plain sheet, or inside the 印 box of a form when `on_form`; the whole sheet is
    rotated counter-clockwise by `rotation_deg`. Raises ValueError for an unknown shape/format or bad values.
    """
    fmt = fmt.upper()
    if shape not in SHAPE_ASPECT or fmt not in _FORMATS or not text or not 0 < ink <= 1 or size_mm <= 0:
        raise ValueError("invalid sample parameters")
    rng = np.random.default_rng(seed)
    px_per_mm = dpi / 25.4
    seal = _seal_coverage(text, shape, size_mm, px_per_mm)
    seal *= ink * _ink_texture(seal.shape, px_per_mm, rng)
    if on_form:
        page_mm = FORM_MM
        centre_mm = (page_mm[0] - 32.0, page_mm[1] - 40.0)
        form = _form_coverage(page_mm, px_per_mm, centre_mm, max(34.0, size_mm + 8.0), rng)
    else:
        ow, oh = seal_outer_size_mm(shape, size_mm)
        page_mm = (max(2.2 * ow, 45.0), max(2.2 * oh, 45.0))
        centre_mm = (page_mm[0] / 2, page_mm[1] / 2)
        form = None
    size = (int(round(page_mm[0] * px_per_mm)), int(round(page_mm[1] * px_per_mm)))
    ink_layer = _paste_centred(seal, size, (centre_mm[0] * px_per_mm, centre_mm[1] * px_per_mm))
    rgb = _compose(
        _rotate(ink_layer, rotation_deg), None if form is None else _rotate(form, rotation_deg), rng
    )
    return _encode(rgb, dpi, fmt)


def _seal_coverage(text: str, shape: str, size_mm: float, px_per_mm: float) -> np.ndarray:
    """Anti-aliased ink coverage (float32 0..1) of outline + characters on a canvas just over the seal."""
    ow, oh = seal_outer_size_mm(shape, size_mm)
    cw, ch = int(math.ceil(ow * px_per_mm)) + 8, int(math.ceil(oh * px_per_mm)) + 8
    ss = max(1, min(4, int(3000 // max(cw, ch))))
    xs = ((np.arange(cw * ss) + 0.5) / ss - 0.5 - (cw - 1) / 2) / px_per_mm
    ys = ((np.arange(ch * ss) + 0.5) / ss - 0.5 - (ch - 1) / 2) / px_per_mm
    dx, dy = np.meshgrid(xs.astype(np.float32), ys.astype(np.float32))
    rim = max(0.5, 0.055 * size_mm)
    if shape in ("round", "oval"):
        a, b = ow / 2, oh / 2
        outer = (dx / a) ** 2 + (dy / b) ** 2 <= 1.0
        inner = (dx / (a - rim)) ** 2 + (dy / (b - rim)) ** 2 <= 1.0
    else:
        dist = _rounded_rect_distance(dx, dy, ow / 2, oh / 2, 0.04 * min(ow, oh))
        outer, inner = dist <= 0, dist <= -rim
    hi = (outer & ~inner).astype(np.uint8) * 255
    gap = 0.06 * size_mm
    _draw_text(hi, text, shape, (ow / 2 - rim - gap, oh / 2 - rim - gap), px_per_mm * ss)
    low = cv2.resize(hi, (cw, ch), interpolation=cv2.INTER_AREA)
    return low.astype(np.float32) / 255.0


def _rounded_rect_distance(dx: np.ndarray, dy: np.ndarray, hw: float, hh: float, r: float) -> np.ndarray:
    """Signed distance (mm) to a rounded rectangle of half sizes hw, hh and corner radius r."""
    qx, qy = np.abs(dx) - (hw - r), np.abs(dy) - (hh - r)
    outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
    return outside + np.minimum(np.maximum(qx, qy), 0) - r


def text_box_mm(inner_half_mm: tuple[float, float], cols: int, rows: int, *, inscribed: bool) -> tuple[float, float]:
    """Width and height (mm) of the character grid: inside a rectangle it fills it; inside an ellipse
    (`inscribed`) it is the largest box with the grid's cell proportions that fits."""
    ha, hb = inner_half_mm
    if not inscribed:
        return 2 * ha, 2 * hb
    phi = math.atan2(ha * rows, hb * cols)
    return 2 * ha * math.cos(phi) * 0.97, 2 * hb * math.sin(phi) * 0.97


def _draw_text(
    canvas: np.ndarray, text: str, shape: str, inner_half_mm: tuple[float, float], px_per_mm: float
) -> None:
    """Draw the characters (right column first, top to bottom) stretched into grid cells, in place."""
    n = len(text)
    cols = 1 if n <= 3 else 2
    rows = math.ceil(n / cols)
    box_w, box_h = text_box_mm(inner_half_mm, cols, rows, inscribed=shape in ("round", "oval"))
    cell_w, cell_h = box_w / cols * px_per_mm, box_h / rows * px_per_mm
    cy0 = canvas.shape[0] / 2 - box_h * px_per_mm / 2
    cx0 = canvas.shape[1] / 2 + box_w * px_per_mm / 2
    stroke = max(1, int(round(0.12 * px_per_mm)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * stroke + 1, 2 * stroke + 1))
    for i, char in enumerate(text):
        col, row = divmod(i, rows)
        x0 = int(round(cx0 - (col + 1) * cell_w + 0.04 * cell_w))
        y0 = int(round(cy0 + row * cell_h + 0.04 * cell_h))
        w, h = int(round(cell_w * 0.92)), int(round(cell_h * 0.92))
        glyph = cv2.resize(_glyph(char), (w, h), interpolation=cv2.INTER_AREA)
        glyph = cv2.dilate(((glyph > 110) * 255).astype(np.uint8), kernel)
        region = canvas[y0 : y0 + h, x0 : x0 + w]
        np.maximum(region, glyph[: region.shape[0], : region.shape[1]], out=region)


def _glyph(char: str) -> np.ndarray:
    """Tight bitmap (uint8, 0..255) of one IPAex Mincho character rendered at 400 px."""
    font = ImageFont.truetype(FONT_MINCHO, 400)
    img = Image.new("L", (560, 560), 0)
    ImageDraw.Draw(img).text((80, 40), char, fill=255, font=font)
    box = img.getbbox() or (0, 0, 560, 560)
    return np.asarray(img.crop(box))


def _ink_texture(shape: tuple[int, ...], px_per_mm: float, rng: np.random.Generator) -> np.ndarray:
    """Slowly varying ink density factor around 0.93 (seeded), like uneven pressure on the paper."""
    coarse = rng.normal(0.0, 1.0, (8, 8)).astype(np.float32)
    smooth = cv2.resize(coarse, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
    return np.clip(0.93 + 0.04 * smooth, 0.82, 1.0)


def _paste_centred(patch: np.ndarray, size: tuple[int, int], centre: tuple[float, float]) -> np.ndarray:
    """Page-sized float layer with `patch` placed so that its centre lands on `centre` (px)."""
    layer = np.zeros((size[1], size[0]), np.float32)
    x0 = int(round(centre[0] - (patch.shape[1] - 1) / 2))
    y0 = int(round(centre[1] - (patch.shape[0] - 1) / 2))
    layer[y0 : y0 + patch.shape[0], x0 : x0 + patch.shape[1]] = patch
    return layer


def _rotate(layer: np.ndarray, angle_deg: float) -> np.ndarray:
    """Rotate a float layer counter-clockwise about the page centre, keeping the page size."""
    if angle_deg == 0:
        return layer
    h, w = layer.shape
    matrix = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), angle_deg, 1.0)
    return cv2.warpAffine(layer, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)


def _compose(ink: np.ndarray, form: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
    """Paper tone × printed form × vermilion ink (multiplicative, like real ink) + seeded scanner noise."""
    rgb = np.empty(ink.shape + (3,), np.float32)
    rgb[:] = PAPER_RGB
    if form is not None:
        rgb *= 1.0 - form[..., None] * (1.0 - PRINT_RGB / 255.0)
    rgb *= 1.0 - ink[..., None] * (1.0 - SEAL_RGB / 255.0)
    noise = rng.standard_normal(ink.shape, dtype=np.float32)
    noise *= 1.6
    rgb += noise[..., None]
    return np.clip(rgb + 0.5, 0, 255).astype(np.uint8)


def _form_coverage(
    page_mm: tuple[float, float],
    px_per_mm: float,
    seal_centre_mm: tuple[float, float],
    box_mm: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Black print coverage of a registration form: title, labels, ruled table, seal box and handwriting."""
    size = (int(round(page_mm[0] * px_per_mm)), int(round(page_mm[1] * px_per_mm)))
    img = Image.new("L", size, 0)
    draw = ImageDraw.Draw(img)

    def p(x_mm: float, y_mm: float) -> tuple[int, int]:
        return int(round(x_mm * px_per_mm)), int(round(y_mm * px_per_mm))

    line = max(1, int(round(0.25 * px_per_mm)))
    title = ImageFont.truetype(FONT_GOTHIC, max(8, int(6.0 * px_per_mm)))
    label = ImageFont.truetype(FONT_GOTHIC, max(6, int(3.2 * px_per_mm)))
    draw.text(p(55, 8), "印鑑登録申請書", fill=255, font=title)
    rows = ["住所", "氏名", "フリガナ", "生年月日", "電話番号"]
    for i, name in enumerate(rows):
        y = 24 + i * 14
        draw.rectangle([p(10, y), p(120, y + 14)], outline=255, width=line)
        draw.line([p(38, y), p(38, y + 14)], fill=255, width=line)
        draw.text(p(13, y + 5), name, fill=255, font=label)
    draw.text(p(10, 100), "上記のとおり印鑑の登録を申請します。", fill=255, font=label)
    draw.text(p(10, 108), "令和　　年　　月　　日", fill=255, font=label)
    sx, sy = seal_centre_mm
    half = box_mm / 2
    draw.rectangle([p(sx - half, sy - half), p(sx + half, sy + half)], outline=255, width=line)
    draw.text(p(sx - half + 1, sy - half - 5), "登録する印", fill=255, font=label)
    _handwriting(draw, rng, p, (42, 40, 110, 50), max(1, int(round(0.45 * px_per_mm))))
    return np.asarray(img, np.float32) / 255.0


def _handwriting(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    p,
    area: tuple[float, float, float, float],
    width: int,
) -> None:
    """A few smooth, seeded pen strokes inside `area` (x0, y0, x1, y1 in mm)."""
    x0, y0, x1, y1 = area
    for k in range(6):
        cx = x0 + (k + 0.5) * (x1 - x0) / 6
        pts = []
        for t in np.linspace(0, 1, 24):
            wobble = rng.normal(0, 0.25)
            pts.append(
                p(cx - 3 + 6 * t + wobble, y0 + (y1 - y0) * (0.5 + 0.35 * math.sin(6 * t + k)) + wobble)
            )
        draw.line(pts, fill=255, width=width, joint="curve")


def _encode(rgb: np.ndarray, dpi: int, fmt: str) -> bytes:
    """Encode RGB pixels in the requested format with dpi metadata."""
    buf = io.BytesIO()
    img = Image.fromarray(rgb, "RGB")
    options: dict[str, object] = {"dpi": (dpi, dpi)}
    if fmt == "PNG":
        options["compress_level"] = 1
    elif fmt == "JPEG":
        options["quality"] = 92
    elif fmt == "TIFF":
        options["compression"] = "tiff_lzw"
    img.save(buf, format=fmt, **options)
    return buf.getvalue()


def make_blank_scan(*, dpi: int = 300, size_mm: float = 60.0, seed: int = 0) -> bytes:
    """A scan of blank paper (light tone, slight noise): what the scanner gives when the impression is missing."""
    rng = np.random.default_rng(seed)
    side = round(size_mm * dpi / 25.4)
    paper = np.clip(rng.normal(246, 2.0, (side, side, 1)), 0, 255).astype(np.uint8)
    return _encode(np.repeat(paper, 3, axis=2), dpi, "PNG")
