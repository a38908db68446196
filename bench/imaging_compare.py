"""Figures: seal comparison on generated same-seal and different-seal pairs: equal error rate, score
distributions (PNG histogram) and time per comparison.

Same-seal pair: two stampings of one seal (rotation, ink, dropout, blur, noise, position, dpi differ).
Different-seal pair: the same name in another font, size, layout or outline, or another name in the same
font, size and outline.
Run: .venv/bin/python bench/imaging_compare.py [--pairs 250] [--jobs 2] [--out /tmp/inkan-bench/]
     [--docs docs/bench/imaging_compare_scores.png]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from imaging import compare_impressions, measure_impression, normalize_impression  # noqa: E402
from imaging.testdata import GeneratedScan, pair_set  # noqa: E402
from imaging.verdict import DEFAULT_DIFFERENT, DEFAULT_SAME  # noqa: E402


def _normalized(scan: GeneratedScan):
    decoded = scan.to_scan()
    return normalize_impression(decoded, measure_impression(decoded))


def _chunk(args: tuple[int, int]) -> list[tuple[bool, float, float, str, str, float]]:
    """(same, score, wall ms, kind, detail, CPU ms) for the pairs of one seed."""
    seed, count = args
    out = []
    for a, b, same in pair_set(count, seed=seed):
        na, nb = _normalized(a), _normalized(b)
        start, cpu_start = time.perf_counter(), time.process_time()
        c = compare_impressions(na.png, na.mm_per_px, nb.png, nb.mm_per_px)
        ms = (time.perf_counter() - start) * 1000
        cpu_ms = (time.process_time() - cpu_start) * 1000  # steady when other jobs share the cores
        detail = f"{a.spec} {a.stamping} | {b.spec if not same else ''} {b.stamping}"
        out.append((same, c.score, ms, _kind(a, b), detail, cpu_ms))
    return out


def _kind(a: GeneratedScan, b: GeneratedScan) -> str:
    """How the second seal differs from the first ('same' for one seal)."""
    if a.seal_id == b.seal_id:
        return "same"
    for field in ("font", "size_mm", "layout", "shape", "text"):
        if getattr(a.spec, field) != getattr(b.spec, field):
            return field
    return "other"


def equal_error_rate(same: np.ndarray, diff: np.ndarray) -> tuple[float, float]:
    """(EER, threshold): where false rejections of same pairs and false acceptances of different pairs meet."""
    best = (1.0, 0.0)
    for t in np.unique(np.concatenate([same, diff, [1.01]])):
        rate = max(float(np.mean(same < t)), float(np.mean(diff >= t)))
        if rate < best[0]:
            best = (rate, float(t))
    return best


def histogram_png(same: np.ndarray, diff: np.ndarray, threshold: float, path: Path) -> None:
    """Draw both score distributions (40 bins over 0..1) with OpenCV and write them as PNG."""
    w, h, left, bottom, bins = 640, 320, 40, 40, 40
    img = np.full((h, w, 3), 255, np.uint8)
    hs = np.histogram(same, bins=bins, range=(0, 1))[0] / max(1, len(same))
    hd = np.histogram(diff, bins=bins, range=(0, 1))[0] / max(1, len(diff))
    top = max(hs.max(), hd.max(), 1e-9)
    bw = (w - left - 10) / bins
    for i in range(bins):
        for frac, colour, off in ((hd[i], (200, 80, 30), 0.0), (hs[i], (40, 40, 210), 0.5)):
            y = int((h - bottom) - frac / top * (h - bottom - 30))
            x0 = int(left + i * bw + off * bw)
            cv2.rectangle(img, (x0, y), (int(x0 + bw / 2) - 1, h - bottom), colour, -1)
    cv2.line(img, (left, h - bottom), (w - 10, h - bottom), (0, 0, 0), 1)
    for v in np.linspace(0, 1, 6):
        x = int(left + v * (w - left - 10))
        cv2.putText(img, f"{v:.1f}", (x - 10, h - bottom + 18), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1)
    tx = int(left + threshold * (w - left - 10))
    cv2.line(img, (tx, 20), (tx, h - bottom), (0, 0, 0), 1)
    cv2.putText(img, "score", (w // 2 - 20, h - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1)
    cv2.putText(img, f"same seal (n={len(same)})", (left + 5, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (40, 40, 210), 1)
    cv2.putText(
        img, f"different seal (n={len(diff)})", (left + 200, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (200, 80, 30), 1
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), img)


def main() -> None:
    """Print the comparison figures and write the histogram."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=250, help="same-seal pairs (as many different-seal pairs)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="/tmp/inkan-bench/")
    parser.add_argument("--worst", type=int, default=0, help="print the N worst pairs of each kind")
    parser.add_argument("--docs", default=None, help="also write the histogram here (e.g. docs/bench/…png)")
    args = parser.parse_args()
    start = time.perf_counter()
    chunks = [(args.seed * 1000 + i, min(10, args.pairs - i * 10)) for i in range((args.pairs + 9) // 10)]
    with Pool(args.jobs) as pool:
        rows = [r for part in pool.map(_chunk, chunks) for r in part]
    same = np.array([r[1] for r in rows if r[0]])
    diff = np.array([r[1] for r in rows if not r[0]])
    eer, at = equal_error_rate(same, diff)
    print(f"pairs: {len(same)} same-seal, {len(diff)} different-seal, {time.perf_counter() - start:.0f} s")
    print(f"equal error rate: {100 * eer:.2f} % (at score {at:.3f})")
    frr, far = float(np.mean(same <= DEFAULT_DIFFERENT)), float(np.mean(diff >= DEFAULT_SAME))
    unsure = float(np.mean((np.concatenate([same, diff]) > DEFAULT_DIFFERENT)
                           & (np.concatenate([same, diff]) < DEFAULT_SAME)))
    print(f"three-way at 別 ≤ {DEFAULT_DIFFERENT} / 同一 ≥ {DEFAULT_SAME}: same judged 別 {100 * frr:.2f} %, "
          f"different judged 同一 {100 * far:.2f} %, 要確認 {100 * unsure:.2f} % of pairs")
    print(f"same-seal score: min {same.min():.3f}, p1 {np.percentile(same, 1):.3f}, median {np.median(same):.3f}")
    print(f"different-seal score: median {np.median(diff):.3f}, p99 {np.percentile(diff, 99):.3f}, max {diff.max():.3f}")
    for kind in ("font", "size_mm", "layout", "shape", "text"):
        scores = [r[1] for r in rows if r[3] == kind]
        if scores:
            print(f"  different {kind}: n={len(scores)}, max {max(scores):.3f}, judged 同一: "
                  f"{sum(s >= DEFAULT_SAME for s in scores)}")
    ms = [r[2] for r in rows]
    cpu = [r[5] for r in rows]
    print(f"compare per pair (wall): median {statistics.median(ms):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms")
    print(f"compare per pair (CPU):  median {statistics.median(cpu):.1f} ms, p95 {np.percentile(cpu, 95):.1f} ms")
    worst_same = sorted((r for r in rows if r[0]), key=lambda r: r[1])[: args.worst]
    worst_diff = sorted((r for r in rows if not r[0]), key=lambda r: -r[1])[: args.worst]
    for r in worst_same + worst_diff:
        print(f"  {'same' if r[0] else 'diff'} {r[1]:.3f} {r[4]}")
    paths = [Path(args.out) / "imaging_compare_scores.png"] + ([Path(args.docs)] if args.docs else [])
    for path in paths:
        histogram_png(same, diff, at, path)
        print(f"score distributions: {path}")


if __name__ == "__main__":
    main()
