"""imaging.normalized: a normalised impression measured on its alpha channel agrees with the scan's measurement."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import imaging
from imaging.normalized import looks_normalized, measure_alpha


@pytest.mark.parametrize(("size_mm", "shape"), [(9, "round"), (15, "square"), (22, "oval"), (12, "rectangle"),
                                                (26, "round"), (7.5, "round")])
def test_the_alpha_measurement_matches_the_scan_within_a_fifth_of_a_millimetre(size_mm, shape):
    scan = imaging.load_scan(imaging.make_seal_scan("山田", dpi=300, size_mm=size_mm, shape=shape, seed=3))
    measured = imaging.measure_impression(scan)
    png = imaging.normalize_impression(scan, measured).png
    alpha = np.asarray(Image.open(io.BytesIO(png)).getchannel("A"))
    assert looks_normalized(alpha)
    fast = measure_alpha(alpha, 300)
    assert abs(fast.square_mm - measured.square_mm) <= 0.2
    assert (fast.found, fast.shape, fast.too_small, fast.too_large) == (True, measured.shape, measured.too_small,
                                                                         measured.too_large)


def test_an_opaque_image_or_an_empty_alpha_is_not_taken_for_an_impression():
    assert not looks_normalized(np.full((50, 50), 255, np.uint8))
    empty = measure_alpha(np.zeros((50, 50), np.uint8), 300)
    assert not empty.found and empty.refusal_reasons[0].code == "no_impression"
