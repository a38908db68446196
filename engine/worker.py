"""The background worker: fires due timers. Run in-process (embedded default) or as N `inkan worker` processes."""

from __future__ import annotations

import logging
import threading

from engine.runtime import WorkflowRunner

log = logging.getLogger("inkan.worker")


def run_worker(runner: WorkflowRunner, stop: threading.Event, interval: float = 5.0) -> None:
    """Poll until `stop` is set; an error in one round is logged and the next round goes on."""
    while not stop.is_set():
        try:
            fired = runner.fire_due_timers()
            if fired:
                log.info("fired %d timer(s)", fired)
        except Exception:  # noqa: BLE001 — a worker must outlive one bad round
            log.exception("worker round failed")
        stop.wait(interval)


def start_worker_thread(runner: WorkflowRunner, interval: float) -> threading.Event:
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(runner, stop, interval), name="inkan-worker", daemon=True)
    thread.start()
    return stop
