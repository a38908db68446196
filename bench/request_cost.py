"""What one clerk request costs the web process (issue 15 point 10): CPU time, wall time and SQL statements.

bench/clerk_pages.py measures latency under load, where p95 is mostly queueing behind other requests on a busy
machine; the lever is the CPU each request costs. This runs the same clerk work in one process with Flask's test
client, so the figures hold on a busy machine too: on its own database (PostgreSQL by default, as in production;
--sqlite for a file), after `inkan init`'s demo population, a counter and a back-office clerk sign in and drive
4.1.2 registrations as clerk_pages.py does (inbox page, each task's page, completing it through the API, a resident
search every other case). Per kind it prints the median CPU time (time.process_time of this process: Python and the
database driver, not the PostgreSQL server), the median wall time and the median count of SQL statements sent.
The first case warms the caches and is not counted. --profile KIND writes a cProfile profile of the CPU time of every request of
that kind to --profile-dir (read it with python -m pstats).
Run: .venv/bin/python bench/request_cost.py [--cases 6] [--sqlite] [--profile complete] [--json]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.load import seal_scans  # noqa: E402
from bench.load_checks import unregistered_adults  # noqa: E402
from bench.load_clients import BACK, COUNTER, REGISTRATION_ANSWERS, scanned  # noqa: E402
from bench.load_cluster import PASSWORD, create_database, drop_database, initialise  # noqa: E402

JST = timezone(timedelta(hours=9))
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SEARCH_NAMES = ("山", "田", "佐藤", "鈴木", "子", "一")
KINDS = ("inbox", "task page", "complete", "search")  # issue 15 point 10's four; the scan step is apart
USERS = {COUNTER: ("cost-counter", "madoguchi"), BACK: ("cost-back", "backyard")}


@dataclass
class Sample:
    cpu_ms: float
    wall_ms: float
    statements: int
    checkouts: int  # connections taken from the pool: each is one more round trip or two (pre-ping, COMMIT/ROLLBACK)


@dataclass
class Costs:
    """Samples per kind; `counting` is False while the warm-up case runs."""

    samples: dict[str, list[Sample]] = field(default_factory=lambda: defaultdict(list))
    statements: int = 0
    checkouts: int = 0
    counting: bool = False
    profilers: dict[str, cProfile.Profile] = field(default_factory=dict)  # kind → its profile (CPU time)

    log_kind: str | None = None  # --statements: the SQL of one request of this kind is printed
    log: list[str] | None = None

    def count_statement(self, _conn, _cursor, statement: str, *_args) -> None:
        self.statements += 1
        if self.log is not None:
            self.log.append(" ".join(statement.split())[:160])

    def count_checkout(self, *_args) -> None:
        self.checkouts += 1

    @contextmanager
    def measured(self, kind: str, *also: str) -> Iterator[None]:
        profiler = next((self.profilers[k] for k in (kind, *also) if k in self.profilers), None) \
            if self.counting else None
        if profiler is not None:
            profiler.enable()
        logging_sql = self.counting and self.log_kind in (kind, *also) and self.log is None
        if logging_sql:
            self.log = []
        statements, checkouts, cpu, wall = self.statements, self.checkouts, time.process_time(), time.perf_counter()
        yield
        sample = Sample((time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000,
                        self.statements - statements, self.checkouts - checkouts)
        if profiler is not None:
            profiler.disable()
        if logging_sql:
            print(f"SQL of one '{self.log_kind}' request:", *self.log, sep="\n  ", file=sys.stderr)
            self.log_kind = None
        if self.counting:
            for name in (kind, *also):
                self.samples[name].append(sample)


class Clerk:
    """One clerk's signed-in web session (test client with cookies) and API bearer token."""

    def __init__(self, app, username: str, token: str):
        self.web = app.test_client()
        self.api_client = app.test_client()  # no session cookie, as an API client has none
        self.api_headers = {"Authorization": f"Bearer {token}"}
        csrf = CSRF.search(self.web.get("/login").get_data(as_text=True)).group(1)
        signed_in = self.web.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf})
        if signed_in.status_code != 302:
            raise RuntimeError(f"{username} could not sign in: {signed_in.status_code}")

    def api(self, method: str, path: str, **kwargs):
        return self.api_client.open(f"/api/v1{path}", method=method, headers=self.api_headers, **kwargs)


def checked(response, *expected: int):
    if response.status_code not in (expected or (200,)):
        raise RuntimeError(f"{response.request.method} {response.request.path}: {response.status_code} "
                           f"{response.get_data(as_text=True)[:300]}")
    return response


@dataclass
class Drive:
    """Drives 4.1.2 cases as bench/clerk_pages.py's clerks do, measuring each web and API request."""

    product: object
    clerks: dict[str, Clerk]
    costs: Costs
    scans: list[bytes]  # one seal per household position, as clerk_pages.py: a household never shares a seal
    searches: Iterator[str]

    def case(self, resident_id: str, position: int, search: bool) -> None:
        counter = self.clerks[COUNTER]
        if search:
            with self.costs.measured("search"):
                checked(counter.web.get("/residents", query_string={"name": next(self.searches)}))
        with self.costs.measured("inbox"):
            checked(counter.web.get("/", query_string={"lane": COUNTER}))
        with self.costs.measured("api: start"):
            started = checked(counter.api("POST", "/instances", json={"process_id": "sokuji_touroku",
                                                                     "data": {"resident_id": resident_id}}), 201)
        instance_id, task_id = started.json["instance_id"], started.json["next_task_id"]
        answers = REGISTRATION_ANSWERS | {"resident_id": resident_id}
        for _ in range(60):
            if task_id is None:
                with self.costs.measured("api: instance"):
                    detail = checked(counter.api("GET", f"/instances/{instance_id}")).json
                if detail["status"] != "running":
                    if detail["status"] != "completed":
                        raise RuntimeError(f"instance {instance_id} ended {detail['status']}")
                    return
                open_tasks = [t for t in detail["tasks"] if t["is_open"]]
                if not open_tasks:  # a timer or a service task for the worker (none is in IN_PROCESS_WORKER)
                    self.product.runner.fire_due_timers()  # type: ignore[attr-defined]
                    time.sleep(0.2)
                    continue
                task_id = open_tasks[0]["task_id"]
            task_id = self.work(task_id, answers, self.scans[position % len(self.scans)])
        raise RuntimeError(f"instance {instance_id} did not end")

    def work(self, task_id: int, answers: dict, seal: bytes) -> int | None:
        with self.costs.measured("api: task"):
            task = checked(self.clerks[COUNTER].api("GET", f"/tasks/{task_id}")).json
        if not task["is_open"]:
            return None
        clerk = self.clerks.get(task["lane"], self.clerks[COUNTER])
        with self.costs.measured("task page"):
            checked(clerk.web.get(f"/tasks/{task_id}"))
        with self.costs.measured("api: claim"):  # as clerk_pages.py's clerks do (opening the page claimed it)
            checked(clerk.api("POST", f"/tasks/{task_id}/claim"))
        properties = task["form"]["schema"].get("properties", {})
        data = {key: value for key, value in answers.items() if key in properties}
        scanning = "scan_blob_id" in properties
        if scanning:
            uploaded = checked(clerk.api("POST", "/blobs", data={"file": (io.BytesIO(scanned(seal, False)),
                                                                        "scan.png", "image/png")}), 200, 201)
            data["scan_blob_id"] = uploaded.json["sha256"]
        kind = "complete (scan step)" if scanning else "complete"
        with self.costs.measured(kind, f"complete: {task['title']}"):
            done = checked(clerk.api("POST", f"/tasks/{task_id}/complete", json={"data": data}))
        return done.json.get("next_task_id")


def build(url: str, folder: Path):
    from webui import create_app

    users = list(USERS.values())
    (folder / "instance").mkdir(parents=True, exist_ok=True)
    tokens = initialise(url, secrets.token_hex(24), folder / "instance", users)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(24), "IN_PROCESS_WORKER": False})
    app.instance_path = str(folder / "instance")
    for handler in logging.getLogger("inkan.request").handlers:  # the request line is written, to nowhere
        handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 — lives as long as the process
    product = app.extensions["inkan"]
    clerks = {lane: Clerk(app, name, tokens[name]) for lane, (name, _role) in USERS.items()}
    return app, product, clerks


def residents_of(url: str) -> list[tuple[str, int]]:
    """(resident id, position in the household) of the adults without a registration, shuffled."""
    engine = create_engine(url)
    with Session(engine) as session:
        people = unregistered_adults(session, datetime.now(JST).date())
    engine.dispose()
    random.Random(1).shuffle(people)
    return people


def run(url: str, folder: Path, options) -> dict[str, list[Sample]]:
    from webui.server import stop_web_process
    from webui.warmup import start_warm_up

    app, product, clerks = build(url, folder)
    warming = start_warm_up(product.services.imaging_pool)  # as each gunicorn web process does at its start
    if warming is not None:
        warming.join()  # before anything is measured: CPU time counts every thread of the process
    costs = Costs(log_kind=options.statements)
    costs.profilers = {kind: cProfile.Profile(time.process_time) for kind in options.profile or ()}
    bind = product.session_factory.kw["bind"]
    event.listen(bind, "before_cursor_execute", costs.count_statement)
    event.listen(bind.pool, "checkout", costs.count_checkout)
    residents = residents_of(url)
    searches = iter(SEARCH_NAMES * 100)
    drive = Drive(product, clerks, costs, seal_scans(dpi=600), searches)
    try:
        for n in range(options.cases + 1):
            costs.counting = n > 0  # the first case warms the caches
            drive.case(*residents.pop(), search=n % 2 == 1 or n == 0)
    finally:
        stop_web_process(app)
        product.session_factory.kw["bind"].dispose()
    for kind, profiler in costs.profilers.items():
        out = Path(options.profile_dir) / f"request_cost_{re.sub(r'[^A-Za-z0-9]+', '_', kind).strip('_')}.pstats"
        profiler.dump_stats(out)
        print(f"CPU profile of every '{kind}' request: {out} (python -m pstats)", file=sys.stderr)
    return costs.samples


def report(samples: dict[str, list[Sample]], database: str, cases: int) -> None:
    print(f"\nper request, {cases} 4.1.2 cases on {database} (medians; CPU = this process, not the database "
          "server)")
    print(f"{'n':>4}{'CPU ms':>9}{'wall ms':>9}{'SQL':>6}  kind")

    def line(kind: str, values: list[Sample]) -> None:  # the kind last: Japanese names are twice as wide
        print(f"{len(values):>4}{median(values, 'cpu_ms'):>9.1f}{median(values, 'wall_ms'):>9.1f}"
              f"{median(values, 'statements'):>6.0f}{median(values, 'checkouts'):>6.0f}  {kind}")

    for kind in (*KINDS, "complete (scan step)"):
        if samples.get(kind):
            line(kind, samples[kind])
    print("the API calls clerk_pages.py's clerks make besides (not in the target, but CPU all the same):")
    for kind, values in sorted(samples.items()):
        if kind.startswith("api: "):
            line("  " + kind.removeprefix("api: "), values)
    print("complete, per step:")
    for kind, values in sorted(samples.items()):
        if kind.startswith("complete: "):
            line("  " + kind.removeprefix("complete: "), values)


def median(values: list[Sample], name: str) -> float:
    return statistics.median(getattr(v, name) for v in values)


def as_json(samples: dict[str, list[Sample]]) -> dict:
    return {kind: {"n": len(values), "cpu_ms": round(median(values, "cpu_ms"), 1),
                   "wall_ms": round(median(values, "wall_ms"), 1), "statements": median(values, "statements"),
                   "checkouts": median(values, "checkouts")}
            for kind, values in sorted(samples.items())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=6, help="4.1.2 cases counted (one more warms up)")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of a PostgreSQL database")
    parser.add_argument("--profile", action="append", metavar="KIND",
                        help="write a cProfile profile (CPU time) of the requests of this kind, as the table names it, e.g. "
                             "\"task page\" or \"complete: 印鑑登録証の交付\" (repeatable)")
    parser.add_argument("--profile-dir", default=".", help="where the profiles go")
    parser.add_argument("--statements", metavar="KIND", help="print the SQL statements of one request of this kind")
    parser.add_argument("--json", action="store_true", help="also print the medians as one JSON line")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="inkan-cost-"))
    if options.sqlite:
        url, drop = f"sqlite:///{folder}/cost.sqlite3", (lambda: None)
    else:
        url = create_database()
        drop = _dropper(url)
    try:
        samples = run(url, folder / "run", options)
    finally:
        drop()
        shutil.rmtree(folder / "run", ignore_errors=True)
    report(samples, "SQLite" if options.sqlite else "PostgreSQL", options.cases)
    if options.json:
        print(json.dumps(as_json(samples), ensure_ascii=False))
    return 0


def _dropper(url: str) -> Callable[[], None]:
    return lambda: drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
