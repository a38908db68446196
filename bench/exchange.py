"""Figures for issue 17 point 4: import and export of a whole registry (docs/exchange/ layout).

Generates N registrations with one impression file each and H history entries per record (default 100,000 and 3:
300,000 entries) in a tmp dir, into a fresh database of each kind whose simulated register holds the residents,
then times `run_import` (check + batches) and `run_export`, and prints the peak RSS (this process and the
measuring workers) and the machine's load. Targets: import ≤ 15 min, export ≤ 5 min, memory < 1 GB.
Run: .venv/bin/python bench/exchange.py [--n 100000] [--history 3] [--db sqlite,postgresql] [--workers 2]
     [--batch 2000]
     .venv/bin/python bench/exchange.py --bad-set   (the dry-run report of a set with every kind of bad input)
With a reduced N the figures are printed as measured, with a linear extrapolation to 100,000 marked as such.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_database  # noqa: E402
from engine.actor import Actor  # noqa: E402
from juki import seed_population  # noqa: E402
from tests.support.exchange_set import impression_pngs, residents_for, spoil, write_set  # noqa: E402
from webui import create_app  # noqa: E402
from webui.exchange.service import PACKAGE_FILE, run_export, run_import  # noqa: E402

ACTOR = Actor("bench", "admin", "bench")
TARGET = 100_000


def rss_mb() -> tuple[float, float]:
    """Peak resident set of this process and of its largest finished child (a measuring worker), MB."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its finished children (the measuring pool)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def _app(url: str):
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789abcdef",
                       "IN_PROCESS_WORKER": False, "TESTING": True})


def prepare(url: str, directory: str, n: int, history: int, queue) -> None:
    """In a child process (its memory is not the import's): the register's residents and the set's files."""
    product = _app(url).extensions["inkan"]
    with product.session_factory.begin() as session:
        seed_population(session, size=int(n * 1.15) + 500, today=product.services.today())
    with product.session_factory() as session:
        people = residents_for(session, n)
    generated = write_set(Path(directory), people, first_serial=1, history_per_record=history,
                          pngs=impression_pngs(8), package=json.loads(PACKAGE_FILE.read_text("utf-8")))
    queue.put((len(people), generated.history, generated.certificates))


def run(kind: str, n: int, history: int, workers: int, batch: int) -> None:
    with fresh_database(kind) as url, tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        child = context.Process(target=prepare, args=(url, f"{folder}/set", n, history, queue))
        child.start()
        while True:
            try:
                size, history_rows, certificates = queue.get(timeout=5)
                break
            except Empty:
                if not child.is_alive():
                    raise SystemExit(f"preparing the set failed (exit code {child.exitcode})") from None
        child.join()
        prepared = time.perf_counter() - started
        print(f"{kind}: N={size:,} registrations, {history_rows:,} history, {certificates:,} certificates; "
              f"register + files prepared in {prepared:.0f} s (another process); load {load()}")
        product = _app(url).extensions["inkan"]
        baseline = rss_mb()[0]
        phases: dict[str, float] = {}
        marks = {"t": time.perf_counter()}

        def progress(phase: str, done: int, total: int) -> None:
            if done == total and phase not in phases:
                now = time.perf_counter()
                phases[phase] = now - marks["t"]
                marks["t"] = now

        start, cpu = time.perf_counter(), cpu_seconds()
        outcome = run_import(product, Path(folder) / "set", ACTOR, batch_size=batch, workers=workers, progress=progress)
        imported, import_cpu = time.perf_counter() - start, cpu_seconds() - cpu
        assert outcome.status == "done", outcome.problems[:5]
        print(f"{kind}: import {imported:7.1f} s  (check {phases.get('check', 0):.1f} s, batches "
              f"{phases.get('import', 0):.1f} s; {size / imported:.0f} records/s; CPU {import_cpu:.1f} s)  "
              f"peak RSS {rss_mb()[0]:.0f} MB (app before import {baseline:.0f} MB; largest child {rss_mb()[1]:.0f} MB, "
              f"the preparer included)  load {load()}")
        start, cpu = time.perf_counter(), cpu_seconds()
        counts = run_export(product, Path(folder) / "out", ACTOR)
        exported, export_cpu = time.perf_counter() - start, cpu_seconds() - cpu
        print(f"{kind}: export {exported:7.1f} s  ({counts.registrations:,} records, {counts.history:,} history; "
              f"{counts.registrations / exported:.0f} records/s; CPU {export_cpu:.1f} s)  peak RSS {rss_mb()[0]:.0f} MB  load {load()}")
        if size < TARGET:
            factor = TARGET / size
            print(f"{kind}: EXTRAPOLATED linearly to {TARGET:,} (×{factor:.1f}, not measured): import ≈ "
                  f"{imported * factor / 60:.1f} min, export ≈ {exported * factor / 60:.1f} min (wall, at this load); "
                  f"CPU ≈ {import_cpu * factor / 60:.1f} / {export_cpu * factor / 60:.1f} min")
        product.session_factory.kw["bind"].dispose()


def bad_set_report() -> None:
    """The closing note's dry run: a set holding every kind of bad input of point 5 (tests.support.exchange_set.spoil),
    checked with `inkan registry import --dry-run` on SQLite after a first set was imported (the number taken)."""
    with fresh_database("sqlite") as url, tempfile.TemporaryDirectory() as folder:
        app = _app(url)
        product = app.extensions["inkan"]
        with product.session_factory.begin() as session:
            seed_population(session, size=300, today=product.services.today())
        with product.session_factory() as session:
            people = residents_for(session, 12)
        package, pngs = json.loads(PACKAGE_FILE.read_text("utf-8")), impression_pngs(3)
        taken = write_set(Path(folder) / "taken", people[:3], first_serial=1, pngs=pngs, package=package)
        assert run_import(product, taken.directory, ACTOR, workers=1).status == "done"
        bad = write_set(Path(folder) / "bad", people[3:11], first_serial=1001, inquiries=people[11:], pngs=pngs,
                        package=package)
        spoil(bad.directory, taken.numbers[0])
        result = app.test_cli_runner().invoke(args=["registry", "import", str(bad.directory), "--dry-run",
                                                    "--report", f"{folder}/report.csv"])
        print(f"$ inkan registry import bad --dry-run   (exit {result.exit_code})")
        print(result.output.replace(folder, "<tmp>"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=TARGET)
    parser.add_argument("--history", type=int, default=3)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--bad-set", action="store_true", help="print the dry-run report of a set with every bad input")
    args = parser.parse_args()
    if args.bad_set:
        bad_set_report()
        return
    print(f"cores {os.cpu_count()}, load {load()}, workers {args.workers}, batch {args.batch}")
    for kind in args.db.split(","):
        run(kind, args.n, args.history, args.workers, args.batch)


if __name__ == "__main__":
    main()
