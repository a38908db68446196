"""The three-way verdict (同一 / 要確認 / 別) at the product's thresholds on fixed sets from both generators
(seeds not used for calibration), and on the hard pairs a household produces. The full figures:
bench/imaging_three_way.py → docs/bench/imaging_three_way.md."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import pytest

import imaging
from imaging import Comparison, compare_impressions, measure_impression, normalize_impression
from imaging.compare import UNEVEN_EDGE_PX, UNMATCHED_SHARE
from imaging.testdata import SealSpec, Stamping, pair_set, stamp
from imaging.testdata_b import Impression, Seal, pair_set_b, press


def _normalized(scan):
    decoded = scan.to_scan()
    return normalize_impression(decoded, measure_impression(decoded))


def _comparison(a, b) -> Comparison:
    na, nb = _normalized(a), _normalized(b)
    return compare_impressions(na.png, na.mm_per_px, nb.png, nb.mm_per_px)


def _verdict(a, b) -> tuple[str, float]:
    c = _comparison(a, b)
    return c.verdict, c.score


@cache
def _verdicts(generator: str) -> list[tuple[bool, str, str, float]]:
    """(same seal?, kind, verdict, score) of 8 same-seal and 8 different-seal pairs."""
    if generator == "A":
        pairs = ((a, b, same, "same" if same else "other") for a, b, same in pair_set(8, seed=7001))
    else:
        pairs = pair_set_b(8, seed=7001)
    return [(same, kind, *_verdict(a, b)) for a, b, same, kind in pairs]


@pytest.mark.parametrize("generator", ["A", "B"])
def test_no_same_seal_is_judged_different_and_no_different_seal_the_same(generator):
    rows = _verdicts(generator)
    assert len(rows) == 16
    for same, kind, verdict, score in rows:
        if same:
            assert verdict != "different", (kind, score)
        else:
            assert verdict != "same", (kind, score)
    assert sum(v == "unsure" for _, _, v, _ in rows) <= 3  # the exception (≤ 10 % over 400 pairs: the bench)
    assert sum(v == "same" for s, _, v, _ in rows if s) >= 6


_FIRST = Impression(rotation_deg=20.0, dpi=300, mode="png", seed=1)
_SECOND = Impression(rotation_deg=245.0, dpi=400, mode="jpeg", jpeg_quality=70, pressure=0.7, tilt=0.3, seed=2)


@pytest.mark.parametrize("first, second", [
    (Seal("佐藤", style="mincho", size_mm=9.5, carving=3), Seal("佐藤", style="gothic", size_mm=9.5, carving=4)),
    (Seal("山田太郎", size_mm=15.0, carving=5), Seal("山田花子", size_mm=15.0, carving=6)),
    (Seal("鈴木", size_mm=13.0, carving=7), Seal("鈴木", size_mm=14.2, carving=8)),
    (Seal("中村", outline="none", size_mm=12.0, gap=0.3, carving=9),
     Seal("中村", outline="none", size_mm=12.0, gap=0.3, style="gothic", carving=10)),
    (Seal("木村", outline="square", size_mm=10.6, weight_mm=0.06, gap=0.05, carving=12),
     Seal("木村", outline="square", size_mm=10.6, weight_mm=0.02, gap=0.1, carving=13)),
], ids=["mincho-gothic-9mm", "same-surname-other-given-name", "similar-size", "frameless-other-style",
        "another-carver"])
def test_hard_different_pairs_are_never_judged_the_same(first, second):
    verdict, score = _verdict(press(first, _FIRST), press(second, _SECOND))
    assert verdict in ("unsure", "different"), score


@pytest.mark.parametrize("second", [
    _SECOND,
    Impression(rotation_deg=300.0, dpi=200, mode="bilevel", spread_mm=0.04, seed=3),
    Impression(rotation_deg=95.0, dpi=600, pressure=0.5, tilt=0.5, porosity=0.15, paper="recycled", seed=4),
    Impression(rotation_deg=170.0, dpi=240, mode="bilevel", porosity=0.25, pressure=0.6, seed=5),
    Impression(rotation_deg=200.0, dpi=300, mode="jpeg", jpeg_quality=60, porosity=0.2, pressure=0.55, tilt=0.4,
               seed=6),
], ids=["jpeg-tilted", "1-bit-200dpi-spread", "pale-porous-600dpi", "porous-1-bit-240dpi", "porous-pale-jpeg"])
def test_one_seal_stamped_twice_is_never_judged_different(second):
    seal = Seal("高橋", style="gothic", outline="circle", size_mm=14.0, weight_mm=0.06, carving=11)
    verdict, score = _verdict(press(seal, _FIRST), press(seal, second))
    assert verdict in ("same", "unsure"), score


# Issue 16 point 11: the same name cut in Mincho and in Gothic shares the outline and the character boxes, so
# the whole-impression overlap alone judged some such pairs 同一 (largest 0.875 on held-out data); the
# characters' strokes inside the outline, compared in small neighbourhoods, must agree too. At 10 mm against a
# 200 dpi scan the strokes score 0.86–0.87: what holds those pairs is that their characters' edges disagree
# more than their rims' do (another cut), which two stampings of one seal do not.
_A_FIRST = Stamping(dpi=300, rotation_deg=0.0, ink=0.6, seed=21)
_A_SECOND = Stamping(dpi=200, rotation_deg=-140.0, ink=0.8, blur_px=0.6, seed=22)
_FULL_NAME = SealSpec("田中花子", shape="oval", size_mm=18.0)
_SURNAME = SealSpec("渡辺", shape="oval", size_mm=16.0, layout="horizontal")


def _other_typeface(spec: SealSpec) -> SealSpec:
    return replace(spec, font="gothic" if spec.font == "mincho" else "mincho")


def _small(spec: SealSpec) -> SealSpec:
    return replace(spec, size_mm=10.0)


@pytest.mark.parametrize("spec", [
    _FULL_NAME,
    _SURNAME,
    _small(_FULL_NAME),
    _small(_SURNAME),
], ids=["full-name-18mm", "surname-16mm", "full-name-10mm", "surname-10mm"])
def test_same_name_in_another_typeface_is_never_judged_the_same(spec):
    c = _comparison(stamp(spec, _A_FIRST), stamp(_other_typeface(spec), _A_SECOND))
    assert c.verdict in ("unsure", "different"), (c.overlap, c.strokes)


@pytest.mark.parametrize("spec", [_FULL_NAME, _small(_SURNAME)], ids=["full-name-18mm", "surname-10mm"])
def test_household_duplicate_restamped_is_same_or_unsure(spec):
    c = _comparison(stamp(spec, _A_FIRST), stamp(spec, _A_SECOND))
    assert c.verdict in ("same", "unsure"), (c.overlap, c.strokes)
    assert c.strokes >= c.overlap - 0.1  # the strokes of one seal agree about as well as the whole impression


def _scanned(text: str):
    scan = imaging.load_scan(imaging.make_seal_scan(text, size_mm=15.0))
    return normalize_impression(scan, measure_impression(scan))


# A near copy — one radical or one stroke of one character changed, the frame, layout and ink the same — must not
# reach 同一: its characters' strokes are the only thing that differs, so a rule that lowers the bar for pairs whose
# ink proportions agree (tried: the ink balance of characters to frame) lets it through. At least 要確認.
@pytest.mark.parametrize("registered, copy", [("登録", "登緑"), ("大田", "太田"), ("王子", "玉子")])
def test_a_near_copy_one_radical_off_is_never_judged_the_same(registered, copy):
    a, b = _scanned(registered), _scanned(copy)
    c = compare_impressions(b.png, b.mm_per_px, a.png, a.mm_per_px)
    assert c.verdict in ("unsure", "different"), (c.overlap, c.strokes)


# Where the two impressions disagree (issue 16 point 11): a light stamping of one seal and a 1-bit scan of a
# heavier one disagree thinly along every edge, the rim's as much as the characters'. Sub-pixel registration
# lifts such pairs to 同一; the same lift brings a near copy to the score bar, and what holds it at 要確認 is the
# dot one impression has and the other lacks entirely.
# (generator B seed 1, chunk 19, first pair: 0.80 and 要確認 before sub-pixel registration, 0.88 and 同一 after)
_LIGHT = Impression(rotation_deg=36.19, spread_mm=0.02, pressure=0.781, tilt=0.337, porosity=0.0,
                    distortion_mm=0.004, bleed_mm=0.037, dpi=240, optics_mm=0.024, form=True, noise=3.8,
                    seed=1058388282)
_ONE_BIT = Impression(rotation_deg=352.13, spread_mm=0.048, pressure=0.603, tilt=0.258, porosity=0.201,
                      distortion_mm=0.039, bleed_mm=0.01, dpi=400, optics_mm=0.06, paper="cream",
                      mode="bilevel", noise=1.26, seed=341788177)


def test_a_light_restamping_that_disagrees_evenly_is_judged_the_same():
    seal = Seal("伊藤", style="mincho", outline="circle", size_mm=19.6, gap=0.041, weight_mm=0.09,
                carving=1466324041)
    c = _comparison(press(seal, _LIGHT), press(seal, _ONE_BIT))
    assert c.verdict == "same", (c.score, c.uneven_px, c.unmatched)
    assert c.uneven_px <= UNEVEN_EDGE_PX and c.unmatched < UNMATCHED_SHARE


def _small_scan(text: str, size_mm: float, dpi: int, seed: int):
    scan = imaging.load_scan(imaging.make_seal_scan(text, size_mm=size_mm, dpi=dpi, seed=seed))
    return normalize_impression(scan, measure_impression(scan))


# Small seals at low resolution: the comparison before h-cmp4 judged 大田/太田 同一 here (0.893 at 10 mm / 200
# dpi, 0.852 at 12 mm / 300 dpi) and 登録/登緑 (0.861 at 10 mm / 200 dpi). The extra dot of 大田/太田 and 王子/玉子 is
# 1.2–2 % of the ink; 登録/登緑 differs by a radical's strokes (0.24 % unmatched) and is held by its uneven edges
# and the 0.88 bar they set (it scores 0.869).
@pytest.mark.parametrize("registered, copy", [("大田", "太田"), ("王子", "玉子"), ("登録", "登緑")])
@pytest.mark.parametrize("size_mm, dpi", [(10.0, 200), (12.0, 300)])
def test_a_near_copy_of_a_small_seal_is_never_judged_the_same(registered, copy, size_mm, dpi):
    a, b = _small_scan(copy, size_mm, dpi, 0), _small_scan(registered, size_mm, dpi, 3)
    c = compare_impressions(a.png, a.mm_per_px, b.png, b.mm_per_px)
    assert c.verdict in ("unsure", "different"), (c.score, c.unmatched)


def test_a_near_copy_at_the_score_bar_is_held_by_the_ink_it_lacks():
    a, b = _scanned("玉子"), _scanned("王子")
    c = compare_impressions(b.png, b.mm_per_px, a.png, a.mm_per_px)
    assert c.score >= c.thresholds.same  # the score alone would say 同一
    assert c.verdict == "unsure" and c.unmatched >= UNMATCHED_SHARE


def test_another_typeface_at_the_score_bar_is_held_by_its_uneven_edges():
    spec = _small(_FULL_NAME)
    c = _comparison(stamp(spec, _A_FIRST), stamp(_other_typeface(spec), _A_SECOND))
    assert c.score >= c.thresholds.same
    assert c.verdict == "unsure" and c.uneven_px > UNEVEN_EDGE_PX
