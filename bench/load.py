"""Load and chaos: K clients drive whole 4.1.2 registrations and 6.1 certificates through /api/v1 against N gunicorn
processes and M `inkan worker`s on PostgreSQL for a bounded time, optionally kill -9ing a random web or worker
process every S seconds (a supervisor restarts it); then checks the numbers, lost and duplicated registrations,
unreferenced impressions and blobs, and the audit chains (`inkan audit verify`, also run during the load).

It creates its own database, runs `inkan init` (demo population), creates API users and tokens, and drops it all
afterwards (--keep keeps the database and logs). Exit status 1 when a 5xx, a lost or duplicated registration, a
bad number or a failed audit check was found.
Run: .venv/bin/python bench/load.py [--clients 20] [--seconds 180] [--web 2] [--workers 2] [--kill-every 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.load_checks import (  # noqa: E402
    check_numbers,
    check_orphans,
    check_registrations,
    instances_left,
    registered_people,
    unregistered_adults,
)
from bench.load_clients import BACK, COUNTER, Clerk, People, Stats  # noqa: E402
from bench.load_cluster import (  # noqa: E402
    Background,
    Cluster,
    Supervisor,
    create_database,
    drop_database,
    initialise,
)
from bench.load_report import describe, summary  # noqa: E402

JST = timezone(timedelta(hours=9))
SEALS = ("山本", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村")  # one per household position


def main() -> int:
    options = parse_arguments()
    folder = Path(tempfile.mkdtemp(prefix="inkan-load-"))
    url = create_database()
    report = None
    try:
        report = run(options, url, folder)
    finally:
        if not options.keep:
            drop_database(url)
        if options.keep or report is None or not report["verdict"]["ok"]:
            print(f"logs kept in {folder}" + (f", database {url}" if options.keep else ""), file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(report, ensure_ascii=False, indent=1) if options.json else describe(report))
    return 0 if report["verdict"]["ok"] else 1


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (each a counter + back clerk)")
    parser.add_argument("--seconds", type=float, default=180, help="how long clients start new flows")
    parser.add_argument("--grace", type=float, default=60, help="then how long they may finish the flows begun")
    parser.add_argument("--web", type=int, default=2, help="gunicorn processes (-w)")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn process")
    parser.add_argument("--workers", type=int, default=2, help="`inkan worker` processes")
    parser.add_argument("--kill-every", type=float, default=None, help="kill -9 a random web/worker process every S s")
    parser.add_argument("--verify-every", type=float, default=30, help="run `inkan audit verify` during the load")
    parser.add_argument("--same-scans", action="store_true",
                        help="upload byte-identical scans (one per household position) instead of one file per scan")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    return parser.parse_args()


def run(options: argparse.Namespace, url: str, folder: Path) -> dict:
    random.seed(options.seed)
    secret = secrets.token_hex(24)
    users = [(f"load-{lane}-{n:02d}", role) for n in range(options.clients)
             for lane, role in (("counter", "madoguchi"), ("back", "backyard"))]
    progress(f"initialising {url.rsplit('/', 1)[1]} (inkan init, {len(users)} API users)")
    tokens = initialise(url, secret, folder / "instance", users)
    people = load_people(url, options.seed)
    scans = seal_scans()
    cluster = Cluster(url, secret, folder, web=options.web, threads=options.threads, workers=options.workers)
    progress(f"starting gunicorn -w {options.web} --threads {options.threads} and {options.workers} inkan worker(s)")
    cluster.start()
    stats, load_before, began = Stats(), os.getloadavg(), time.monotonic()
    clerks = [Clerk(cluster.base_url, {COUNTER: tokens[f"load-counter-{n:02d}"], BACK: tokens[f"load-back-{n:02d}"]},
                    people, scans, stats, began + options.seconds, began + options.seconds + options.grace,
                    options.same_scans)
              for n in range(options.clients)]
    progress(f"{options.clients} clients for {options.seconds:.0f} s" +
             (f", kill -9 every {options.kill_every:.0f} s" if options.kill_every else ""))
    try:
        with Supervisor(cluster, options.kill_every) as supervisor, Verifier(cluster, options.verify_every) as verifier:
            threads = [threading.Thread(target=clerk.run, name=f"clerk-{n}") for n, clerk in enumerate(clerks)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        elapsed, load_after = time.monotonic() - began, os.getloadavg()
    finally:
        cluster.stop()
    progress("checking the database")
    final_verify = verifier.verify()
    engine = create_engine(url)
    with Session(engine) as session:
        checks = {"numbers": check_numbers(session), "registrations": check_registrations(session, stats.registrations),
                  "orphans": check_orphans(session), "instances": instances_left(session)}
    engine.dispose()
    return summary(options, stats, cluster, supervisor, checks, {"during": verifier.results, "final": final_verify},
                   {"cores": os.cpu_count(), "load_before": load_before, "load_after": load_after,
                    "uptime": uptime()}, elapsed)


def load_people(url: str, seed: int) -> People:
    """Adults the clients may register (shuffled) and the people already registered (for 6.1 from the start)."""
    engine = create_engine(url)
    with Session(engine) as session:
        unregistered = unregistered_adults(session, datetime.now(JST).date())
        registered = registered_people(session)
    engine.dispose()
    random.Random(seed).shuffle(unregistered)
    return People(unregistered, registered)


def seal_scans(dpi: int = 300) -> list[bytes]:
    """One seal per household position (SEALS): members of a household never bring the same seal."""
    import imaging

    return [imaging.make_seal_scan(text, dpi=dpi, seed=n) for n, text in enumerate(SEALS)]


class Verifier(Background):
    """`inkan audit verify` every `every` seconds while the clients work, as an operator would run it."""

    def __init__(self, cluster: Cluster, every: float):
        self.cluster, self.every, self.results = cluster, every, []

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.results.append(self.verify())

    def verify(self) -> dict:
        inkan = Path(sys.executable).with_name("inkan")
        done = subprocess.run([str(inkan), "audit", "verify"], env=self.cluster.env, capture_output=True, text=True,
                              check=False)
        return {"at": datetime.now(UTC).isoformat(timespec="seconds"), "ok": done.returncode == 0,
                "output": (done.stdout + done.stderr).strip()}


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def progress(message: str) -> None:
    print(f"[{datetime.now(JST):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
