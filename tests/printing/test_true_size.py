"""The impression must print at its true size: exact in the PDF matrix, and ±0.1 mm on a 600 dpi raster."""

import shutil
import subprocess
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

DPI = 600


def rasterize_first_page(pdf: bytes, tmp_path: Path) -> np.ndarray:
    source = tmp_path / "sheet.pdf"
    source.write_bytes(pdf)
    # Raw PGM output: the same raster as -png, without seconds of PNG compression.
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-gray", str(source), str(tmp_path / "page")],
        check=True,
    )
    [raster] = tmp_path.glob("page*.pgm")
    return np.asarray(Image.open(BytesIO(raster.read_bytes())).convert("L"))


def solid_blob_size_mm(page: np.ndarray) -> tuple[float, float]:
    """(width, height) in mm of the largest dark blob that fills most of its bounding box.

    Measured along the chords through the blob's centre, counting anti-aliased edge pixels by their darkness,
    so the result is accurate to a fraction of a pixel (1 px = 0.042 mm at 600 dpi).
    """
    count, _, stats, _ = cv2.connectedComponentsWithStats((page < 128).astype(np.uint8), connectivity=8)
    solid = [
        stat
        for stat in stats[1:count]
        if stat[cv2.CC_STAT_AREA] > 0.6 * stat[cv2.CC_STAT_WIDTH] * stat[cv2.CC_STAT_HEIGHT]
    ]
    left, top, width, height, _ = max(solid, key=lambda stat: stat[cv2.CC_STAT_AREA])
    darkness = 1.0 - page.astype(float) / 255.0
    row = darkness[top + height // 2, left - 3 : left + width + 3]
    column = darkness[top - 3 : top + height + 3, left + width // 2]
    to_mm = 25.4 / DPI
    return float(row.sum()) * to_mm, float(column.sum()) * to_mm


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize(
    ("width_px", "height_px", "mm_per_px", "caption"),
    [(300, 300, 0.05, "縦15.0mm×横15.0mm"), (200, 400, 0.06, "縦24.0mm×横12.0mm")],
)
def test_impression_prints_at_true_size(
    render: Callable[..., bytes],
    pdf_pages: Callable[[bytes], list[str]],
    factories: SimpleNamespace,
    tmp_path: Path,
    width_px: int,
    height_px: int,
    mm_per_px: float,
    caption: str,
) -> None:
    pdf = render(impression=factories.disc(width_px, height_px, mm_per_px))
    width_mm, height_mm = solid_blob_size_mm(rasterize_first_page(pdf, tmp_path))
    assert width_mm == pytest.approx(width_px * mm_per_px, abs=0.1)
    assert height_mm == pytest.approx(height_px * mm_per_px, abs=0.1)
    assert caption in pdf_pages(pdf)[0]


def image_placements_mm(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) in mm of every image drawn on page 1, from the transformation matrix at each Do."""
    placed: list[tuple[float, float]] = []

    def visit(operator: bytes, args: list, matrix: list[float], text_matrix: list[float]) -> None:
        if operator == b"Do":
            placed.append((matrix[0] * 25.4 / 72, matrix[3] * 25.4 / 72))

    PdfReader(BytesIO(pdf)).pages[0].extract_text(visitor_operand_before=visit)
    return placed


@pytest.mark.parametrize(("width_px", "height_px", "mm_per_px"), [(300, 300, 0.05), (177, 301, 0.0847)])
def test_image_matrix_is_exactly_pixels_times_scale(
    render: Callable[..., bytes], factories: SimpleNamespace, width_px: int, height_px: int, mm_per_px: float
) -> None:
    [(width_mm, height_mm)] = image_placements_mm(
        render(impression=factories.disc(width_px, height_px, mm_per_px))
    )
    assert width_mm == pytest.approx(width_px * mm_per_px, abs=1e-3)
    assert height_mm == pytest.approx(height_px * mm_per_px, abs=1e-3)
