"""Figures: impression size error and 8/25 mm decisions on generated scans, and measuring speed.

Size: p95 of |measured square − true square| (mm), and the share of right 8/25 decisions among scans whose true
square is more than 0.2 mm from a limit. Speed: measure_impression on a 1000 × 1000 px crop and on an A4 page,
both at 300 dpi (decoding not included).
Run: .venv/bin/python bench/imaging_measure.py [--count 500] [--jobs 2] [--seed 0]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import timed  # noqa: E402
from imaging import Scan, measure_impression  # noqa: E402
from imaging.testdata import SealSpec, Stamping, measurement_set, stamp  # noqa: E402

MIN_MM, MAX_MM, MARGIN_MM = 8.0, 25.0, 0.2


def _one(args: tuple[int, int]) -> tuple[float, float, bool, bool, bool]:
    """(true square, measured square, found, measured acceptable size, true acceptable size) of scan i."""
    seed, index = args
    scan = list(measurement_set(1, seed=seed * 100_003 + index))[0]
    m = measure_impression(scan.to_scan(), MIN_MM, MAX_MM)
    truth = MIN_MM < scan.true_square_mm <= MAX_MM
    return scan.true_square_mm, m.square_mm, m.found, not (m.too_small or m.too_large), truth


def _timed(fn, repeat: int) -> list[float]:
    """Milliseconds of each call after one warm-up call."""
    fn()
    return timed(fn, repeat)


def _speed() -> tuple[list[float], list[float]]:
    """Timings (ms) of measure_impression on a 1000 px crop and on an A4 page at 300 dpi."""
    page = stamp(SealSpec("山田"), Stamping(dpi=300, background="a4", rotation_deg=20, skew_deg=2, seed=3))
    a4 = page.to_scan()
    cx, cy = int(170 * 300 / 25.4), int(120 * 300 / 25.4)
    crop = Scan(np.ascontiguousarray(a4.image[cy - 500 : cy + 500, cx - 500 : cx + 500]), 300.0, "given")
    return (
        _timed(lambda: measure_impression(crop), 50),
        _timed(lambda: measure_impression(a4), 20),
    )


def main() -> None:
    """Print the size and speed figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = time.perf_counter()
    with Pool(args.jobs) as pool:
        rows = pool.map(_one, [(args.seed, i) for i in range(args.count)], chunksize=4)
    true = np.array([r[0] for r in rows])
    measured = np.array([r[1] for r in rows])
    found = np.array([r[2] for r in rows])
    decided, truth = np.array([r[3] for r in rows]), np.array([r[4] for r in rows])
    err = np.abs(measured - true)[found]
    clear = (np.abs(true - MIN_MM) > MARGIN_MM) & (np.abs(true - MAX_MM) > MARGIN_MM)
    right = (decided == truth) & found
    print(f"scans: {args.count} (seed {args.seed}), found: {int(found.sum())}, {time.perf_counter() - start:.0f} s")
    print(f"size error mm: median {np.median(err):.3f}, p95 {np.percentile(err, 95):.3f}, max {err.max():.3f}")
    print(
        f"8/25 decision right: {int(right[clear].sum())}/{int(clear.sum())} = "
        f"{100 * right[clear].mean():.2f} % of scans > {MARGIN_MM} mm from a limit"
    )
    crop_ms, a4_ms = _speed()
    for name, ms in (("1000x1000 px crop, 300 dpi", crop_ms), ("A4 page, 300 dpi (2480x3508)", a4_ms)):
        p95 = float(np.percentile(ms, 95))
        print(f"measure {name}: median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
