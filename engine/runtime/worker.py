"""The background worker: fires due timers, runs the rounds the product wires in (e.g. the registry's processing
of received resident events) and writes the daily anchor of the audit hash chains.

Run in-process (embedded default) or as N `inkan worker` processes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from engine.database import is_database_unavailable
from engine.evidence.anchors import anchor_if_due
from engine.runtime.runner import WorkflowRunner

log = logging.getLogger("inkan.worker")

Round = Callable[[], int]
MAX_BACKOFF_SECONDS = 30


def run_worker(runner: WorkflowRunner, stop: threading.Event, interval: float = 5.0,
               rounds: Sequence[Round] = ()) -> None:
    """Poll until `stop` is set; an error in one round is logged and the next round goes on.

    `rounds` are further jobs run after the timers each time (e.g. the resident-event intake); each returns how
    many items it handled. While the database cannot be reached the worker waits longer each round (doubling,
    at most MAX_BACKOFF_SECONDS) and logs one line when it goes and one when it comes back.
    """
    jobs = (runner.fire_due_timers, *rounds, daily_anchor(runner))
    outage = DatabaseOutage(interval)
    while not stop.is_set():
        stop.wait(run_round(jobs, outage))


def run_round(jobs: Sequence[Round], outage: DatabaseOutage) -> float:
    """Run each job once (stopping at a database outage); return how long to wait before the next round."""
    for job in jobs:
        try:
            handled = job()
            if handled:
                log.info("%s handled %d item(s)", getattr(job, "__name__", "round"), handled)
        except Exception as exc:  # noqa: BLE001 — a worker must outlive one bad round
            if is_database_unavailable(exc):
                return outage.failed(exc)
            log.exception("worker round failed")
    return outage.succeeded()


class DatabaseOutage:
    """The worker's view of the database: how many rounds in a row found it unreachable, and the wait."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.failures = 0

    def failed(self, exc: BaseException) -> float:
        self.failures += 1
        wait = min(self.interval * 2 ** (self.failures - 1), MAX_BACKOFF_SECONDS)
        if self.failures == 1:
            cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
            log.warning("データベースに接続できません。待ってから再試行します（最長%d秒間隔）: %s",
                        MAX_BACKOFF_SECONDS, cause)
        return wait

    def succeeded(self) -> float:
        if self.failures:
            log.warning("データベースに再接続しました（%d回の待機の後）", self.failures)
            self.failures = 0
        return self.interval


def daily_anchor(runner: WorkflowRunner) -> Round:
    """The round that writes the hash chains' heads once a day (engine/evidence/anchors.py); cheap on the other rounds."""

    def write_daily_anchor() -> int:
        with runner.session_factory.begin() as session:
            return int(anchor_if_due(session))

    return write_daily_anchor


def start_worker_thread(runner: WorkflowRunner, interval: float, rounds: Sequence[Round] = ()) -> threading.Event:
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(runner, stop, interval, rounds), name="inkan-worker",
                              daemon=True)
    thread.start()
    return stop
