"""Figures: impression size error and 8/25 mm decisions on generated scans, and measuring speed.

Size: p95 of |measured square − true square| (mm), and the share of right 8/25 decisions among scans whose true
square is more than 0.2 mm from a limit. Speed: measure_impression on a 1000 × 1000 px crop and on an A4 page,
both at 300 dpi (decoding not included).
Scans come from generator A (imaging/testdata.py) or B (imaging/testdata_b, `--generator b`); `--frameless`
takes only seals without a frame (枠なし). A scan whose parts cannot be grouped, or whose edges cannot be found,
with confidence is refused (`unclear_extent`, `unclear_edge`, no size): such scans are counted apart and left out of
the size error.
`--worst N` prints the N scans measured furthest from their true size (refused ones left out): the
generator's parameters, measured vs true size, warnings and the grouping facts, to find what goes wrong.
Run: .venv/bin/python bench/imaging_measure.py [--count 500] [--jobs 2] [--seed 0] [--generator a|b] [--frameless]
     [--no-speed] [--worst N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import asdict, replace
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import timed  # noqa: E402
from imaging import Scan, measure_impression  # noqa: E402
from imaging.grouping import component_gaps  # noqa: E402
from imaging.ink import DETECT_STRENGTH, ink_strength  # noqa: E402
from imaging.locate import find_ink_groups  # noqa: E402
from imaging.testdata import SealSpec, Stamping, measurement_set, random_spec, random_stamping, stamp  # noqa: E402
from imaging.testdata_b import frameless_set, size_set  # noqa: E402

MIN_MM, MAX_MM, MARGIN_MM = 8.0, 25.0, 0.2


def _scan(generator: str, frameless: bool, seed: int):
    """One generated scan with its truth."""
    if generator == "b":
        return next(iter(frameless_set(1, seed) if frameless else size_set(1, seed)))
    if not frameless:
        return next(iter(measurement_set(1, seed=seed)))
    rng = np.random.default_rng(seed)
    return stamp(replace(random_spec(rng), frame=False), random_stamping(rng))


def _scan_seed(seed: int, index: int) -> int:
    """Seed of scan `index` of a run with --seed `seed`."""
    return seed * 100_003 + index


def _one(args: tuple[str, bool, int, int]) -> tuple[float, float, bool, bool, bool, bool]:
    """(true square, measured square, found with a size, measured acceptable size, true acceptable size,
    refused as unclear) of scan i."""
    generator, frameless, seed, index = args
    scan = _scan(generator, frameless, _scan_seed(seed, index))
    m = measure_impression(scan.to_scan(), MIN_MM, MAX_MM)
    truth = MIN_MM < scan.true_square_mm <= MAX_MM
    known = m.found and m.size_known
    return scan.true_square_mm, m.square_mm, known, not (m.too_small or m.too_large), truth, not m.size_known


def _parameters(scan) -> str:
    """The generator's parameters of a scan (seal and stamping), one line each."""
    parts = (scan.spec, scan.stamping) if hasattr(scan, "spec") else (scan.seal, scan.impression)
    return "\n".join("    " + ", ".join(f"{k}={v!r}" for k, v in asdict(p).items()) for p in parts)


def _grouping_facts(image: np.ndarray, dpi: float) -> str:
    """How the scan's ink was grouped: groups, parts of the largest, its part size and the nearest ink
    left out of it (the grouping is redone at full resolution)."""
    px_per_mm = dpi / 25.4
    ink = find_ink_groups(ink_strength(image), px_per_mm)
    if not ink.groups:
        return "    no ink group"
    primary = ink.groups[0]
    _, _, stats, _ = cv2.connectedComponentsWithStats((ink.strength >= DETECT_STRENGTH).astype(np.uint8), connectivity=8)
    sides = np.maximum(stats[primary.label_ids, 2], stats[primary.label_ids, 3]) / px_per_mm
    others = np.setdiff1d(np.flatnonzero(stats[:, 4] >= 0.05 * px_per_mm**2)[1:], primary.label_ids)
    keep = np.concatenate([primary.label_ids, others])
    pairs, gaps = component_gaps(ink.labels, stats, keep, px_per_mm)
    inside = pairs < len(primary.label_ids)
    outward = gaps[inside[:, 0] != inside[:, 1]] / px_per_mm
    nearest = f"{outward.min():.2f} mm" if len(outward) else "none"
    return (f"    groups {len(ink.groups)} (unsure {ink.unsure}), largest: {len(primary.label_ids)} parts, "
            f"part sides mm {np.round(np.sort(sides)[::-1][:8], 2).tolist()}, nearest ink outside {nearest}, "
            f"other groups' ink px {[g.ink_px for g in ink.groups[1:4]]}")


def _print_worst(args: argparse.Namespace, rows: list, count: int) -> None:
    """The `count` measured scans furthest from their true size, with what the generator and measuring did."""
    errors = [(abs(r[1] - r[0]), i) for i, r in enumerate(rows) if r[2]]
    for err, index in sorted(errors, reverse=True)[:count]:
        scan = _scan(args.generator, args.frameless, _scan_seed(args.seed, index))
        image = scan.to_scan()
        m = measure_impression(image, MIN_MM, MAX_MM)
        print(f"-- index {index} (scan seed {_scan_seed(args.seed, index)}): measured {m.square_mm:.3f} mm, "
              f"true {scan.true_square_mm:.3f} mm, error {m.square_mm - scan.true_square_mm:+.3f} mm ({err:.3f}), "
              f"dpi {image.dpi:g}, shape {m.shape}, warnings {[w.code for w in m.warnings]}, "
              f"refusals {[r.code for r in m.refusal_reasons]}")
        print(_parameters(scan))
        print(_grouping_facts(image.image, image.dpi))


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
    parser.add_argument("--generator", choices=("a", "b"), default="a")
    parser.add_argument("--frameless", action="store_true", help="only seals without a frame (枠なし)")
    parser.add_argument("--no-speed", action="store_true", help="skip the timing of measure_impression")
    parser.add_argument("--worst", type=int, default=0, help="print the N scans measured furthest from the truth")
    args = parser.parse_args()
    start = time.perf_counter()
    jobs = [(args.generator, args.frameless, args.seed, i) for i in range(args.count)]
    with Pool(args.jobs) as pool:
        rows = pool.map(_one, jobs, chunksize=4)
    true = np.array([r[0] for r in rows])
    measured = np.array([r[1] for r in rows])
    found = np.array([r[2] for r in rows])
    decided, truth = np.array([r[3] for r in rows]), np.array([r[4] for r in rows])
    unclear = np.array([r[5] for r in rows])
    err = np.abs(measured - true)[found]
    clear = (np.abs(true - MIN_MM) > MARGIN_MM) & (np.abs(true - MAX_MM) > MARGIN_MM) & ~unclear
    right = (decided == truth) & found
    kind = f"generator {args.generator.upper()}{', frameless only' if args.frameless else ''}"
    print(f"scans: {args.count} ({kind}, seed {args.seed}), measured: {int(found.sum())}, refused as unclear: "
          f"{int(unclear.sum())}, {time.perf_counter() - start:.0f} s")
    print(f"size error mm: median {np.median(err):.3f}, p95 {np.percentile(err, 95):.3f}, max {err.max():.3f}, "
          f"over 0.2 mm: {int((err > 0.2).sum())}")
    print(
        f"8/25 decision right: {int(right[clear].sum())}/{int(clear.sum())} = "
        f"{100 * right[clear].mean():.2f} % of measured scans > {MARGIN_MM} mm from a limit"
    )
    if args.worst:
        _print_worst(args, rows, args.worst)
    if args.no_speed:
        return
    crop_ms, a4_ms = _speed()
    for name, ms in (("1000x1000 px crop, 300 dpi", crop_ms), ("A4 page, 300 dpi (2480x3508)", a4_ms)):
        p95 = float(np.percentile(ms, 95))
        print(f"measure {name}: median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
