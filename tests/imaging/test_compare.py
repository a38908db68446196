"""compare_impressions and overlay_png on normalized synthetic impressions."""

from __future__ import annotations

import io
from functools import cache

import numpy as np
import pytest
from PIL import Image

from imaging import (
    ImagingError,
    Thresholds,
    UnusableImageError,
    compare_impressions,
    measure_impression,
    normalize_impression,
    overlay_png,
)
from imaging.testdata import SealSpec, Stamping, stamp


def _compare(a, b, **kwargs):
    return compare_impressions(a.png, a.mm_per_px, b.png, b.mm_per_px, **kwargs)


def test_same_seal_other_dpi_rotation_and_ink_is_same(normalized):
    a = normalized(dpi=300)
    b = normalized(dpi=600, rotation_deg=30.0, ink=0.6, seed=7)
    c = _compare(a, b)
    assert c.same and c.score >= 0.9
    assert c.angle_deg == pytest.approx(30.0, abs=2.0)
    assert abs(c.dx_mm) < 0.5 and abs(c.dy_mm) < 0.5


def test_rotation_is_reported_with_sign(normalized):
    c = _compare(normalized(dpi=200), normalized(dpi=200, rotation_deg=-100.0))
    assert c.same and c.angle_deg == pytest.approx(-100.0, abs=2.0)


def test_same_seal_on_form_as_jpeg_is_same(normalized):
    c = _compare(normalized(dpi=300), normalized(dpi=300, on_form=True, fmt="JPEG", rotation_deg=4.0))
    assert c.same and c.angle_deg == pytest.approx(4.0, abs=2.0)


@pytest.mark.parametrize(
    ("text", "kwargs"), [("川田", {}), ("川田", {"rotation_deg": 30.0, "dpi": 600}), ("山口", {})]
)
def test_different_characters_same_outline_and_size_are_different(normalized, text, kwargs):
    c = _compare(normalized(dpi=300), normalized(text=text, **kwargs))
    assert not c.same and c.score < 0.75


def test_different_outline_is_different(normalized):
    assert _compare(normalized(dpi=300), normalized(shape="square", size_mm=15.0)).score < 0.5


def test_thresholds_are_parameters_and_split_three_ways(normalized):
    a, restamped = normalized(dpi=300), normalized(dpi=600, rotation_deg=30.0, ink=0.6, seed=7)
    score = _compare(a, restamped).score
    assert _compare(a, restamped, thresholds=Thresholds(same=score, different=score / 2)).verdict == "same"
    b = normalized(text="川田")
    score = _compare(a, b).score
    # another character never reaches 同一, whatever the bar: its ink differs where the other has none
    assert _compare(a, b, thresholds=Thresholds(same=score, different=score / 2)).verdict == "unsure"
    unsure = _compare(a, b, thresholds=Thresholds(same=min(1.0, score + 0.05), different=score - 0.05))
    assert unsure.verdict == "unsure" and not unsure.same and unsure.label == "要確認"
    assert _compare(a, b, thresholds=Thresholds(same=1.0, different=score)).verdict == "different"
    with pytest.raises(ValueError):
        Thresholds(same=0.5, different=0.6)


def test_bad_inputs_raise(normalized):
    a = normalized(dpi=300)
    with pytest.raises(ImagingError) as info:
        compare_impressions(a.png, 0.0, a.png, a.mm_per_px)
    assert info.value.code == "bad_scale"
    with pytest.raises(UnusableImageError):
        compare_impressions(b"garbage", 0.1, a.png, a.mm_per_px)
    empty = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(empty, format="PNG")
    with pytest.raises(ImagingError) as info:
        compare_impressions(empty.getvalue(), 0.1, a.png, a.mm_per_px)
    assert info.value.code == "no_impression"


def test_whole_form_is_not_a_cropped_impression(normalized, seal_bytes):
    a = normalized(dpi=300)
    with pytest.raises(UnusableImageError) as info:
        compare_impressions(a.png, a.mm_per_px, seal_bytes(on_form=True, dpi=200), 25.4 / 200)
    assert info.value.code == "image_too_large"


def test_opaque_scan_crop_is_read_by_its_red_ink(normalized, seal_bytes):
    a = normalized(dpi=300)
    c = compare_impressions(a.png, a.mm_per_px, seal_bytes(dpi=200, rotation_deg=45.0), 25.4 / 200)
    assert c.same and c.angle_deg == pytest.approx(45.0, abs=2.0)


def test_overlay_shows_a_red_b_blue_overlap_dark(normalized):
    a = normalized(dpi=300)
    b = normalized(text="川田", rotation_deg=20.0)
    c = _compare(a, b)
    img = Image.open(io.BytesIO(overlay_png(a.png, a.mm_per_px, b.png, b.mm_per_px, c)))
    assert img.format == "PNG" and img.mode == "RGB"
    rgb = np.asarray(img).astype(int)
    r, g, bl = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    white = (rgb > 235).all(axis=2)
    red_only = (r > 180) & (g < 90) & (bl < 90)
    blue_only = (bl > 180) & (r < 90)
    dark = rgb.max(axis=2) < 70
    assert white[:3, :3].all() and white.mean() > 0.5
    assert red_only.sum() > 100 and blue_only.sum() > 100  # 山 and 川 do not coincide
    assert dark.sum() > 5 * (red_only.sum() + blue_only.sum()) / 4  # outline and 田 coincide
    assert img.width * a.mm_per_px == pytest.approx(17.0, abs=0.5)  # 15 mm impressions + 1 mm margins


def test_overlay_of_aligned_same_seal_is_mostly_dark(normalized):
    a = normalized(dpi=300)
    b = normalized(dpi=600, rotation_deg=30.0, ink=0.6, seed=7)
    c = _compare(a, b)
    rgb = np.asarray(Image.open(io.BytesIO(overlay_png(a.png, a.mm_per_px, b.png, b.mm_per_px, c)))).astype(
        int
    )
    inked = rgb.min(axis=2) < 150
    dark = rgb.max(axis=2) < 110
    assert dark.sum() > 0.7 * inked.sum()


@cache
def _stamped(spec: SealSpec, stamping: Stamping):
    """Normalized impression of one generated stamping (testdata's seals, with a font choice)."""
    scan = stamp(spec, stamping).to_scan()
    return normalize_impression(scan, measure_impression(scan))


_FIRST = Stamping(dpi=300, seed=1)
_SECOND = Stamping(dpi=400, rotation_deg=35.0, ink=0.7, seed=2)


def _cuts(text: str) -> tuple[SealSpec, SealSpec]:
    """The Mincho and the Gothic cut of one name, both 9 mm round seals."""
    return SealSpec(text=text, font="mincho", size_mm=9.0), SealSpec(text=text, font="gothic", size_mm=9.0)


def test_same_seal_with_heavy_scanner_noise_is_same():
    seal = SealSpec(text="佐藤", font="mincho", size_mm=9.0)
    noisy = Stamping(dpi=300, rotation_deg=-60.0, ink=0.6, noise=12.0, seed=3)  # generator's range: 1.6–5
    c = _compare(_stamped(seal, _FIRST), _stamped(seal, noisy))
    assert c.same and c.score >= 0.85
    assert c.angle_deg == pytest.approx(-60.0, abs=2.0)


@pytest.mark.parametrize("text", ["佐藤", "中村"])
def test_mincho_and_gothic_cut_of_one_name_score_below_either_seal_with_itself(text):
    mincho, gothic = _cuts(text)
    across = _compare(_stamped(mincho, _FIRST), _stamped(gothic, _SECOND)).score
    assert across < _compare(_stamped(mincho, _FIRST), _stamped(mincho, _SECOND)).score - 0.05
    assert across < _compare(_stamped(gothic, _FIRST), _stamped(gothic, _SECOND)).score - 0.05


def test_mincho_and_gothic_cut_of_one_name_at_9_mm_are_never_judged_the_same():
    """Issue 3's known limit (a clean 9 mm pair of 佐藤 scored above the single 0.82 threshold): with the
    three-way verdict such a pair is 要確認 or 別, never 同一."""
    mincho, gothic = _cuts("佐藤")
    assert _compare(_stamped(mincho, _FIRST), _stamped(gothic, _SECOND)).verdict in ("unsure", "different")
