"""Figures: what a 自動交付機 request costs for the PIN check (5.2.4: salted, peppered scrypt, n=2^14, r=8, p=1).

Each request verifies one PIN (one scrypt); the certificate itself is timed by bench/printing_certificates.py.
Run: .venv/bin/python bench/jidou_kofuki.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import time

from registry.seals.pin import _matches, hash_pin

PEPPER = b"bench-pepper"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    stored = hash_pin("1234", PEPPER)
    times = []
    for n in range(args.repeat):
        start = time.perf_counter()
        _matches(stored, "1234" if n % 2 else "0000", PEPPER)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(f"PIN check (scrypt) × {args.repeat}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms")
    print(f"10,000 PINs by brute force with the table and the pepper: ≈ {statistics.median(times) * 10_000 / 1000:.0f} s "
          "of one core (the pepper is not in the database; the lock stops online guessing after 3 tries)")


if __name__ == "__main__":
    main()
