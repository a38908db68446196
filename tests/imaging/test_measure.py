"""measure_impression: true size in mm, shape, limits, warnings and refusals on synthetic scans."""

from __future__ import annotations

import json
import math

import cv2
import numpy as np
import pytest

from imaging import Scan, measure_impression, measurement_to_dict
from imaging.samples import seal_outer_size_mm

TOLERANCE_MM = 0.3


def _ellipse_min_square(width: float, height: float) -> float:
    """Smallest enclosing square side of an ellipse over all orientations (numerically)."""
    a, b = width / 2, height / 2
    t = np.deg2rad(np.arange(0, 90, 0.05))
    w = 2 * np.sqrt((a * np.cos(t)) ** 2 + (b * np.sin(t)) ** 2)
    h = 2 * np.sqrt((a * np.sin(t)) ** 2 + (b * np.cos(t)) ** 2)
    return float(np.min(np.maximum(w, h)))


def _codes(issues) -> set[str]:
    return {i.code for i in issues}


@pytest.mark.parametrize(
    ("shape", "size", "dpi", "rotation", "on_form"),
    [
        ("round", 15.0, 200, 0.0, False),
        ("round", 15.0, 300, 0.0, False),
        ("round", 15.0, 600, 0.0, False),
        ("square", 20.0, 200, 0.0, False),
        ("square", 20.0, 300, 0.0, False),
        ("square", 20.0, 600, 0.0, False),
        ("oval", 15.0, 300, 0.0, False),
        ("oval", 15.0, 200, -5.0, False),
        ("rectangle", 18.0, 300, 0.0, False),
        ("round", 15.0, 300, 4.0, False),
        ("square", 20.0, 300, 4.0, False),
        ("round", 15.0, 300, 4.0, True),
        ("square", 20.0, 200, -3.0, True),
    ],
)
def test_measured_size_matches_generated_size(seal_scan, shape, size, dpi, rotation, on_form):
    m = measure_impression(
        seal_scan(shape=shape, size_mm=size, dpi=dpi, rotation_deg=rotation, on_form=on_form)
    )
    width, height = seal_outer_size_mm(shape, size)
    expected_square = _ellipse_min_square(width, height) if shape == "oval" else max(width, height)
    assert m.found and m.acceptable, m
    assert m.shape == shape
    assert m.width_mm == pytest.approx(width, abs=TOLERANCE_MM)
    assert m.height_mm == pytest.approx(height, abs=TOLERANCE_MM)
    assert m.square_mm == pytest.approx(expected_square, abs=TOLERANCE_MM)
    assert m.dpi == pytest.approx(dpi)
    assert m.refusal_reasons == () and m.warnings == ()
    assert 0.1 < m.ink_coverage < 0.8


def test_bbox_locates_the_impression_on_a_form(seal_scan):
    scan = seal_scan(on_form=True, dpi=200)
    x, y, w, h = measure_impression(scan).bbox_px
    px = 200 / 25.4
    assert w == pytest.approx(15 * px, abs=3) and h == pytest.approx(15 * px, abs=3)
    assert x > scan.image.shape[1] / 2  # the seal box is on the right, away from the printed table


def test_six_mm_is_too_small(seal_scan):
    m = measure_impression(seal_scan(size_mm=6.0))
    assert m.found and m.too_small and not m.too_large and not m.acceptable
    assert m.square_mm == pytest.approx(6.0, abs=TOLERANCE_MM)
    assert _codes(m.refusal_reasons) == {"too_small"}
    assert m.refusal_reasons[0].message == "印影が小さすぎます（8mmの正方形に収まります）"


def test_twenty_seven_mm_is_too_large(seal_scan):
    m = measure_impression(seal_scan(size_mm=27.0, dpi=200))
    assert m.found and m.too_large and not m.too_small and not m.acceptable
    assert _codes(m.refusal_reasons) == {"too_large"}
    assert m.refusal_reasons[0].message == "印影が大きすぎます（25mmの正方形に収まりません）"


def test_limits_are_parameters_and_appear_in_messages(seal_scan):
    scan = seal_scan(size_mm=15.0)
    small = measure_impression(scan, min_mm=15.5, max_mm=30)
    assert small.too_small and "15.5mm" in small.refusal_reasons[0].message
    large = measure_impression(scan, min_mm=5, max_mm=12)
    assert large.too_large and "12mm" in large.refusal_reasons[0].message


def test_blank_page_has_no_impression():
    m = measure_impression(Scan(np.full((600, 500, 3), 252, np.uint8), 300.0, "given"))
    assert not m.found and not m.acceptable and m.shape == "none"
    assert _codes(m.refusal_reasons) == {"no_impression"}
    assert m.refusal_reasons[0].message == "印影が見つかりません。朱肉の印影が写っているか確認してください"
    assert m.bbox_px == (0, 0, 0, 0)


def test_black_form_without_seal_has_no_impression(seal_scan):
    scan = seal_scan(on_form=True, dpi=200)
    img = scan.image.copy()
    x, y, w, h = measure_impression(scan).bbox_px
    img[y - 3 : y + h + 3, x - 3 : x + w + 3] = 250  # wipe the seal, keep the black print
    m = measure_impression(Scan(img, scan.dpi, scan.dpi_source))
    assert not m.found and _codes(m.refusal_reasons) == {"no_impression"}


def test_blue_stamp_is_not_an_impression_and_warns_not_red(seal_scan):
    scan = seal_scan()
    m = measure_impression(Scan(np.ascontiguousarray(scan.image[..., ::-1]), scan.dpi, "given"))
    assert not m.found
    assert _codes(m.warnings) == {"not_red"}
    assert m.warnings[0].message == "朱色ではない可能性があります"


def test_faint_impression_warns_but_keeps_size(seal_scan):
    m = measure_impression(seal_scan(ink=0.3))
    assert m.found and m.acceptable
    assert _codes(m.warnings) == {"faint"}
    assert m.warnings[0].message == "印影がかすれています。読み取れるか確認してください"
    assert m.square_mm == pytest.approx(15.0, abs=TOLERANCE_MM)


def test_broken_outline_warns(seal_scan):
    scan = seal_scan()
    img = scan.image.copy()
    cx, cy = img.shape[1] // 2, img.shape[0] // 2
    r = 7.5 * 300 / 25.4
    cv2.rectangle(img, (cx - 15, int(cy - r - 5)), (cx + 15, int(cy - r + 25)), (250, 248, 242), -1)
    m = measure_impression(Scan(img, scan.dpi, scan.dpi_source))
    assert m.found and m.acceptable
    assert "broken_outline" in _codes(m.warnings)


def test_characters_without_outline_are_grouped_into_one_impression(seal_scan):
    scan = seal_scan(text="山田太郎", shape="square", size_mm=18.0)
    img = scan.image.copy()
    px = 300 / 25.4
    cx, cy = img.shape[1] // 2, img.shape[0] // 2
    outer, inner = 9.2 * px, 7.9 * px
    band = int(outer - inner)
    half = int((outer + inner) / 2)
    cv2.rectangle(img, (cx - half, cy - half), (cx + half, cy + half), (250, 248, 242), band + 2)
    m = measure_impression(Scan(img, scan.dpi, scan.dpi_source))
    assert m.found and m.acceptable, m
    assert 12.0 < m.square_mm < 15.0  # the character block inside the removed outline
    assert "broken_outline" not in _codes(m.warnings)
    assert "multiple_impressions" not in _codes(m.warnings)


def test_two_comparable_impressions_are_refused(seal_scan):
    img = seal_scan().image
    m = measure_impression(Scan(np.concatenate([img, img], axis=1), 300.0, "given"))
    assert m.found and not m.acceptable
    assert _codes(m.refusal_reasons) == {"multiple_impressions"}


def test_small_red_mark_only_warns_and_specks_are_ignored(seal_scan):
    img = seal_scan().image.copy()
    cv2.circle(img, (60, 60), 20, (40, 50, 215), -1)  # 3.4 mm red blot
    cv2.circle(img, (470, 470), 5, (40, 50, 215), -1)  # 0.8 mm speck: ignored
    m = measure_impression(Scan(img, 300.0, "given"))
    assert m.found and m.acceptable
    assert _codes(m.warnings) == {"multiple_impressions"}
    assert m.square_mm == pytest.approx(15.0, abs=TOLERANCE_MM)


def test_pink_or_orange_ink_warns_not_red(seal_scan):
    scan = seal_scan()
    hsv = cv2.cvtColor(scan.image, cv2.COLOR_BGR2HSV)
    ink = hsv[..., 1] > 60
    hsv[..., 0][ink] = 164  # shift vermilion to a pink-magenta hue
    m = measure_impression(Scan(cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR), scan.dpi, "given"))
    assert m.found and "not_red" in _codes(m.warnings)


def test_measurement_to_dict_is_json_ready(seal_scan):
    d = measurement_to_dict(measure_impression(seal_scan(size_mm=6.0)))
    text = json.dumps(d, ensure_ascii=False)
    assert json.loads(text) == d
    assert d["found"] is True and d["shape"] == "round" and d["acceptable"] is False
    assert d["refusal_reasons"] == [
        {"code": "too_small", "message": "印影が小さすぎます（8mmの正方形に収まります）"}
    ]
    assert len(d["bbox_px"]) == 4 and math.isclose(d["dpi"], 300.0)
