"""Figures for issue 17 point 4: import and export of a whole registry (docs/exchange/ layout).

Generates N registrations with one impression file each and H history entries per record (default 100,000 and 3:
300,000 entries) in a tmp dir, into a fresh database of each kind whose simulated register holds the residents,
then times `run_import` (check + batches) and `run_export`, and prints the peak RSS (this process and the
measuring workers) and the machine's load. Targets: import ≤ 15 min, export ≤ 5 min, memory < 1 GB.
Run: .venv/bin/python bench/exchange.py [--n 100000] [--history 3] [--db sqlite,postgresql] [--workers 2]
     [--batch 2000]
With a reduced N the figures are printed as measured, with a linear extrapolation to 100,000 marked as such.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_database  # noqa: E402
from engine.actor import Actor  # noqa: E402
from juki import seed_population  # noqa: E402
from tests.support.exchange_set import impression_pngs, residents_for, write_set  # noqa: E402
from webui import create_app  # noqa: E402
from webui.exchange.service import PACKAGE_FILE, run_export, run_import  # noqa: E402

ACTOR = Actor("bench", "admin", "bench")
TARGET = 100_000


def rss_mb() -> tuple[float, float]:
    """Peak resident set of this process and of its finished children (the measuring pool), MB."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def run(kind: str, n: int, history: int, workers: int, batch: int) -> None:
    import json

    with fresh_database(kind) as url, tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789abcdef",
                          "IN_PROCESS_WORKER": False, "TESTING": True})
        product = app.extensions["inkan"]
        started = time.perf_counter()
        with product.session_factory.begin() as session:
            seed_population(session, size=int(n * 1.15) + 500, today=product.services.today())
        with product.session_factory() as session:
            people = residents_for(session, n)
        if len(people) < n:
            print(f"{kind}: only {len(people)} residents in the register for N={n}")
        generated = write_set(Path(folder) / "set", people, first_serial=1, history_per_record=history,
                              pngs=impression_pngs(8), package=json.loads(PACKAGE_FILE.read_text("utf-8")))
        prepared = time.perf_counter() - started
        print(f"{kind}: N={len(people):,} registrations, {generated.history:,} history, "
              f"{generated.certificates:,} certificates; register + files prepared in {prepared:.0f} s; load {load()}")
        phases: dict[str, float] = {}
        marks = {"t": time.perf_counter()}

        def progress(phase: str, done: int, total: int) -> None:
            if done == total and phase not in phases:
                now = time.perf_counter()
                phases[phase] = now - marks["t"]
                marks["t"] = now

        start = time.perf_counter()
        outcome = run_import(product, generated.directory, ACTOR, batch_size=batch, workers=workers, progress=progress)
        imported = time.perf_counter() - start
        assert outcome.status == "done", outcome.problems[:5]
        print(f"{kind}: import {imported:7.1f} s  (check {phases.get('check', 0):.1f} s, batches "
              f"{phases.get('import', 0):.1f} s; {len(people) / imported:.0f} records/s)  "
              f"peak RSS {rss_mb()[0]:.0f} MB (workers {rss_mb()[1]:.0f} MB)  load {load()}")
        start = time.perf_counter()
        counts = run_export(product, Path(folder) / "out", ACTOR)
        exported = time.perf_counter() - start
        print(f"{kind}: export {exported:7.1f} s  ({counts.registrations:,} records, {counts.history:,} history; "
              f"{counts.registrations / exported:.0f} records/s)  peak RSS {rss_mb()[0]:.0f} MB  load {load()}")
        if len(people) < TARGET:
            factor = TARGET / len(people)
            print(f"{kind}: EXTRAPOLATED linearly to {TARGET:,} (×{factor:.1f}, not measured): import ≈ "
                  f"{imported * factor / 60:.1f} min, export ≈ {exported * factor / 60:.1f} min")
        product.session_factory.kw["bind"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=TARGET)
    parser.add_argument("--history", type=int, default=3)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, load {load()}, workers {args.workers}, batch {args.batch}")
    for kind in args.db.split(","):
        run(kind, args.n, args.history, args.workers, args.batch)


if __name__ == "__main__":
    main()
