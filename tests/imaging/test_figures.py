"""The issue's figures on a small generated set with known truth (the full figures: bench/imaging_*.py)."""

from __future__ import annotations

import numpy as np
import pytest

from imaging import compare_impressions, measure_impression, normalize_impression
from imaging.testdata import measurement_set, pair_set


@pytest.fixture(scope="module")
def measured():
    """(true square mm, Measurement) of 40 generated scans (all shapes, fonts, 200–600 dpi, forms, JPEG)."""
    return [(g.true_square_mm, measure_impression(g.to_scan())) for g in measurement_set(40, seed=2024)]


def test_size_error_p95_is_within_0_2_mm(measured):
    assert all(m.found for _, m in measured)
    errors = [abs(m.square_mm - true) for true, m in measured]
    assert float(np.percentile(errors, 95)) <= 0.2
    assert max(errors) <= 0.3


def test_8_25_decisions_are_right_away_from_the_limits(measured):
    clear = [(t, m) for t, m in measured if abs(t - 8.0) > 0.2 and abs(t - 25.0) > 0.2]
    assert len(clear) >= 35
    for true, m in clear:
        assert m.too_small == (true <= 8.0), (true, m.square_mm)
        assert m.too_large == (true > 25.0), (true, m.square_mm)
    sizes = [t for t, _ in clear]
    assert min(sizes) < 8.0 and max(sizes) > 25.0  # both refusals are exercised


def _normalized(scan):
    decoded = scan.to_scan()
    return normalize_impression(decoded, measure_impression(decoded))


def test_same_and_different_seal_pairs_are_separated():
    same, different = [], []
    for a, b, is_same in pair_set(10, seed=77):
        na, nb = _normalized(a), _normalized(b)
        c = compare_impressions(na.png, na.mm_per_px, nb.png, nb.mm_per_px)
        (same if is_same else different).append(c.score)
    assert len(same) == len(different) == 10
    assert min(same) > max(different), (sorted(same), sorted(different))
    assert np.median(same) >= 0.85 and np.median(different) <= 0.5
