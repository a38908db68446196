"""Run a batch print job in a background thread of the web process; progress and cancel go through the database."""

from __future__ import annotations

import logging
import threading

from engine.actor import Actor
from handlers.services.batch import run_batch
from webui.wiring import Product

__all__ = ["run_in_background"]

log = logging.getLogger("inkan.print")


def run_in_background(product: Product, job_id: int, actor: Actor) -> threading.Thread:
    """Start the job's thread; any process can show its progress or cancel it (the job row is the channel)."""

    def work() -> None:
        try:
            run_batch(product.session_factory, product.services, job_id, actor=actor)
        except Exception:  # noqa: BLE001 — a stale job is given up by the next start_batch
            log.exception("batch print job %s failed", job_id)

    thread = threading.Thread(target=work, name=f"inkan-print-{job_id}", daemon=True)
    thread.start()
    return thread
