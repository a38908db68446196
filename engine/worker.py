"""The background worker: fires due timers, processes received resident events (住民記録連動) and writes the
daily anchor of the audit hash chains.

Run in-process (embedded default) or as N `inkan worker` processes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from engine.anchors import anchor_if_due
from engine.runtime import WorkflowRunner

log = logging.getLogger("inkan.worker")

Round = Callable[[], int]


def run_worker(runner: WorkflowRunner, stop: threading.Event, interval: float = 5.0,
               rounds: Sequence[Round] = ()) -> None:
    """Poll until `stop` is set; an error in one round is logged and the next round goes on.

    `rounds` are further jobs run after the timers each time (e.g. the resident-event intake); each returns how
    many items it handled.
    """
    jobs = (runner.fire_due_timers, *rounds, daily_anchor(runner))
    while not stop.is_set():
        for job in jobs:
            try:
                handled = job()
                if handled:
                    log.info("%s handled %d item(s)", getattr(job, "__name__", "round"), handled)
            except Exception:  # noqa: BLE001 — a worker must outlive one bad round
                log.exception("worker round failed")
        stop.wait(interval)


def daily_anchor(runner: WorkflowRunner) -> Round:
    """The round that writes the hash chains' heads once a day (engine/anchors.py); cheap on the other rounds."""

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
