"""Generator B (imaging/testdata_b): deterministic, its truth is right, and its files are what it says."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from imaging.testdata_b import DIFFERENCES, Impression, Seal, carve_face, different_seal, pair_set_b, press


def test_the_same_stamping_gives_the_same_file_and_another_one_differs():
    seal = Seal("山田", carving=3)
    first, again = press(seal, Impression(seed=5)), press(seal, Impression(seed=5))
    assert first.data == again.data and first.true_square_mm == again.true_square_mm
    assert press(seal, Impression(seed=6)).data != first.data


@pytest.mark.parametrize("outline, size, square", [
    ("circle", 15.0, 15.0), ("square", 12.0, 12.0),
    ("oval", 18.0, 2 * ((0.36 * 18.0) ** 2 / 2 + 9.0**2 / 2) ** 0.5),  # an ellipse's smallest square is at 45°
])
def test_a_framed_seal_is_as_large_as_its_frame(outline, size, square):
    truth = press(Seal("佐藤", outline=outline, size_mm=size, carving=1), Impression(spread_mm=0.0, seed=1))
    assert truth.true_square_mm == pytest.approx(square, abs=0.25)  # the carver's hand moves the rim a little


def test_a_frameless_seal_is_as_large_as_its_characters():
    face = carve_face(Seal("小川", outline="none", size_mm=16.0, gap=0.4, carving=2), 20.0)
    ys, xs = np.nonzero(face.ink)
    assert (ys.max() - ys.min() + 1) / 20.0 == pytest.approx(16.0, abs=0.8)  # the block's longer side


@pytest.mark.parametrize("mode, fmt, colours", [("png", "PNG", None), ("jpeg", "JPEG", None), ("bilevel", "PNG", 3)])
def test_scan_files_carry_their_dpi_and_format(mode, fmt, colours):
    scan = press(Seal("林", carving=4), Impression(mode=mode, dpi=240, form=True, seed=2))
    image = Image.open(io.BytesIO(scan.data))
    assert image.format == fmt and round(image.info["dpi"][0]) == 240
    if colours:
        assert len(np.unique(np.asarray(image))) <= colours  # paper, ink and print, nothing in between
    assert scan.to_scan().dpi == 240


def test_pairs_alternate_same_and_different_with_the_hard_kinds():
    pairs = list(pair_set_b(6, seed=11))
    assert [same for _, _, same, _ in pairs] == [True, False] * 6
    for a, b, same, kind in pairs:
        assert (a.seal_id == b.seal_id) == same and (kind == "same") == same
    rng = np.random.default_rng(0)
    seal = Seal("山田太郎", carving=1)
    for kind in DIFFERENCES:
        other, got = different_seal(seal, rng, kind)
        assert got == kind and other.seal_id != seal.seal_id
