"""Scans put together for the imaging and page tests: impressions side by side, cut to their ink, and the hardest
scans the measuring bench found."""

from __future__ import annotations

from functools import cache

import numpy as np

from imaging import Scan, measure_impression
from imaging.testdata import GeneratedScan, SealSpec, Stamping, stamp
from imaging.testdata_b import Impression, Seal, press


def side_by_side(left: Scan, right: Scan, gap_px: int) -> Scan:
    """Two scans pasted on one sheet, `gap_px` of paper between them."""
    h = max(left.image.shape[0], right.image.shape[0])
    sheet = np.full((h, left.image.shape[1] + gap_px + right.image.shape[1], 3), 246, np.uint8)
    sheet[: left.image.shape[0], : left.image.shape[1]] = left.image
    sheet[: right.image.shape[0], left.image.shape[1] + gap_px :] = right.image
    return Scan(sheet, left.dpi, "given")


def crop_to_ink(scan: Scan, margin_px: int) -> Scan:
    """The scan cut down to its red impression plus a margin."""
    x, y, w, h = measure_impression(scan).bbox_px
    image = scan.image[max(0, y - margin_px) : y + h + margin_px, max(0, x - margin_px) : x + w + margin_px]
    return Scan(np.ascontiguousarray(image), scan.dpi, "given")


def ambiguous_frameless_scan() -> Scan:
    """A frameless 山 with a third of itself 9 mm away: too far to be one of its parts for sure, too near to
    be another impression for sure."""
    seal = Seal("山", style="gothic", outline="none", size_mm=10.0, weight_mm=0.05, carving=9)
    one = crop_to_ink(press(seal, Impression(dpi=300, seed=2)).to_scan(), 10)
    part = Scan(np.ascontiguousarray(one.image[:, : one.image.shape[1] // 3]), 300.0, "given")
    return side_by_side(one, part, gap_px=int(9 * 300 / 25.4))


@cache
def kim_scan() -> GeneratedScan:
    """The worst frameless scan of the fresh seed 0 (A, index 122): "KIM" in Mincho, faint, a 200 dpi JPEG on a form.
    Its letters reach the outline almost all round, so its ring looks like a broken frame; measured on colour it was
    0.235 mm too small. Its colour and brightness edges are 0.25 mm apart: no size can be trusted, none is given.
    Stamped on first use, not when a test file imports this module."""
    return stamp(SealSpec("KIM", font="mincho", shape="round", size_mm=14.44, frame=False, layout="vertical"),
                 Stamping(rotation_deg=1.96, skew_deg=2.73, ink=0.491, dropout=0.111, noise=3.76, dx_mm=0.8,
                          dy_mm=-2.15, dpi=200, background="form", fmt="JPEG", seed=17042176))
