"""normalize_impression: transparent RGBA crop at true scale."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from imaging import ImagingError, Scan, measure_impression, normalize_impression


def _rgba(png: bytes) -> np.ndarray:
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.mode == "RGBA"
    return np.asarray(img)


@pytest.mark.parametrize("dpi", [200, 600])
def test_normalized_is_transparent_rgba_at_true_scale(seal_scan, dpi):
    scan = seal_scan(dpi=dpi)
    m = measure_impression(scan)
    n = normalize_impression(scan, m)
    rgba = _rgba(n.png)
    assert n.mm_per_px == pytest.approx(25.4 / dpi)
    assert rgba.shape[:2] == (n.height_px, n.width_px)
    assert n.width_px * n.mm_per_px == pytest.approx(17.0, abs=0.4)  # 15 mm + 1 mm margin each side
    alpha = rgba[..., 3]
    for corner in (alpha[:3, :3], alpha[:3, -3:], alpha[-3:, :3], alpha[-3:, -3:]):
        assert corner.max() == 0
    assert alpha.max() >= 240  # full-strength ink is opaque
    inked = alpha > 0
    assert (rgba[..., :3][inked] == (200, 30, 30)).all()


def test_ink_strength_becomes_alpha_and_colour_is_a_parameter(seal_scan):
    scan = seal_scan(ink=0.6, on_form=True, dpi=200)
    n = normalize_impression(scan, measure_impression(scan), colour=(0, 0, 0))
    rgba = _rgba(n.png)
    strong = np.percentile(rgba[..., 3][rgba[..., 3] > 0], 95)
    assert 80 < strong < 200  # weaker ink → partly transparent
    assert (rgba[..., :3][rgba[..., 3] > 0] == 0).all()


def test_black_print_next_to_the_seal_is_left_out(seal_scan):
    scan = seal_scan(on_form=True, dpi=200, size_mm=24.0)
    n = normalize_impression(scan, measure_impression(scan))
    alpha = _rgba(n.png)[..., 3]
    assert (alpha > 0).mean() < 0.5


def test_no_impression_raises(seal_scan):
    scan = Scan(np.full((200, 200, 3), 255, np.uint8), 300.0, "given")
    with pytest.raises(ImagingError) as info:
        normalize_impression(scan, measure_impression(scan))
    assert info.value.code == "no_impression"
