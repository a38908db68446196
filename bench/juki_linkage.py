"""Figures of issue 16.9: how fast the registry takes in the register's changes by pull and by file, on SQLite and
PostgreSQL, and what an idle worker round costs.

For each database: a fresh migrated one with the synthetic population; N changes (転居) recorded in the simulator;
then it times one forced pull round over the in-process simulator (pages of 100, at most 20 pages: N ≤ 2000 is one
round), the same N changes pulled over HTTP from the simulator served by juki.server (after clearing the intake and
the cursor), one change file of N rows, and the worker's round when nothing is due (the cursor row's check).
Run: .venv/bin/python bench/juki_linkage.py [--changes 2000] [--kinds sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, delete, select  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from bench.common import describe, fresh_database, timed  # noqa: E402
from handlers.linkage.intake import ReceivedEvent  # noqa: E402
from juki import changes, seed_population  # noqa: E402
from juki.linkage.change_file import write_change_file  # noqa: E402
from juki.linkage.models import LinkageCursor  # noqa: E402
from juki.models import SimResident  # noqa: E402
from juki.server import register_app  # noqa: E402
from tests.support.served import Served  # noqa: E402
from webui import create_app  # noqa: E402


def product_on(url: str, **config):
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789", "IN_PROCESS_WORKER": False}
                     | config)
    return app.extensions["inkan"]


def record_changes(product, count: int) -> list:
    with product.session_factory.begin() as session:
        seed_population(session, today=product.services.today())
        residents = list(session.scalars(select(SimResident.resident_id).where(SimResident.status == "resident")
                                         .order_by(SimResident.resident_id).limit(count)))
        today = product.services.today()
        ctx = changes.ChangeContext(today, "bench", today, datetime.now(UTC))
        return [event for n, resident_id in enumerate(residents)
                for event in changes.move_within(session, resident_id, ctx, address=f"見本市計測町{n + 1}番",
                                                 whole_household=False)]


def forget(product) -> None:
    """Clear the intake and the cursors, so the same changes can be taken in again."""
    with product.session_factory.begin() as session:
        session.execute(delete(ReceivedEvent))
        session.execute(delete(LinkageCursor))


def rate(label: str, count: int, run) -> None:
    start = time.perf_counter()
    taken = run()
    seconds = time.perf_counter() - start
    print(f"{label:<58} {taken:6d} changes in {seconds:6.2f} s   ({taken / seconds:7.0f} changes/s)")


def bench(kind: str, count: int) -> None:
    with fresh_database(kind) as url:
        print(f"--- {kind}")
        pulling = product_on(url, JUKI_LINKAGE="pull")
        events = record_changes(pulling, count)
        rate("pull, in-process simulator (one forced round)", count,
             lambda: pulling.take_in_resident_changes(force=True).received)
        print(describe("worker round when nothing is due", timed(pulling.linkage_round, 50)))
        forget(pulling)
        engine = create_engine(url)
        served = Served(register_app(sessionmaker(engine)))
        try:
            remote = product_on(url, JUKI_LINKAGE="pull", JUKI="http", JUKI_URL=served.url)
            rate("pull over HTTP from juki.server (one forced round)", count,
                 lambda: remote.take_in_resident_changes(force=True).received)
        finally:
            served.stop()
            engine.dispose()
        forget(pulling)
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "bench.csv").write_text(write_change_file(events), encoding="utf-8")
            (Path(folder) / "bench.csv.done").write_bytes(b"")
            reading = product_on(url, JUKI_LINKAGE="file", JUKI_FILE_DIR=folder)
            rate(f"file of {count} rows (parse, intake, archive)", count,
                 lambda: reading.take_in_resident_changes(force=True).received)


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access-log line per feed page
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=2000)
    parser.add_argument("--kinds", default="sqlite,postgresql")
    args = parser.parse_args()
    for kind in args.kinds.split(","):
        bench(kind, args.changes)


if __name__ == "__main__":
    main()
