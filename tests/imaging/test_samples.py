"""make_seal_scan: deterministic synthetic scans with dpi metadata."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from imaging import make_seal_scan


def test_deterministic_and_seeded():
    kwargs = {"dpi": 200, "rotation_deg": 3.0, "ink": 0.8}
    assert make_seal_scan(**kwargs) == make_seal_scan(**kwargs)
    assert make_seal_scan(**kwargs) != make_seal_scan(seed=1, **kwargs)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF"])
def test_formats_carry_dpi(fmt):
    img = Image.open(io.BytesIO(make_seal_scan(dpi=200, fmt=fmt)))
    assert img.format == fmt
    assert img.info["dpi"][0] == pytest.approx(200, abs=0.1)
    assert img.width == img.height == round(45 * 200 / 25.4)  # 45 mm plain sheet for a 15 mm seal


def test_form_is_larger_and_has_black_print():
    img = Image.open(io.BytesIO(make_seal_scan(on_form=True, dpi=100))).convert("L")
    assert img.width == round(190 * 100 / 25.4)
    assert img.getextrema()[0] < 60


def test_rejects_unknown_shape_or_format():
    with pytest.raises(ValueError):
        make_seal_scan(shape="star")
    with pytest.raises(ValueError):
        make_seal_scan(fmt="GIF")
