"""Warm start: the first scan and the first printed document after a start cost as much as later ones.

A fresh process pays once for OpenCV's and NumPy's lazy initialisation (kernels, thread pools, PNG codecs), for
parsing the two IPAex fonts (~10 MB of TrueType) and their character maps, and for reportlab's first canvas. A clerk
met all of it on the first 600 dpi scan (10.7 s) or the first 印鑑登録証 (3.3 s). Here the imaging pool's processes
are started, each measuring, normalising, annotating and comparing one tiny synthetic scan (in this process when
the pool size is 0), and one card is rendered, in a background thread when the process begins to serve (webui: its
first request, usually the login page or a health probe; `inkan serve`: each web process's start; `inkan worker`:
its start), so the clerk's own request finds everything loaded.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date

from flask import Flask

from handlers.imaging_pool import ImagingPool

__all__ = ["register_warm_up", "start_warm_up", "warm_up"]

log = logging.getLogger(__name__)
_started = threading.Event()  # one warm-up per process: the caches it fills are per process


def warm_up(pool: ImagingPool | None = None) -> dict[str, float]:
    """Run each cold path once; seconds each part took. Never raises: a warm-up that fails leaves the first
    request as slow as before, nothing worse (the failure is logged)."""
    pool = pool or ImagingPool(0)
    took: dict[str, float] = {}
    for name, step in (("imaging", pool.warm), ("printing", _printing)):
        began = time.perf_counter()
        try:
            step()
        except Exception:  # noqa: BLE001 - a warm-up must never take the process down
            log.exception("warm-up of %s failed", name)
        took[name] = time.perf_counter() - began
    return took


def _printing() -> None:
    import printing
    from printing.fonts import check_printable, default_fonts

    check_printable("見本", "warm-up", default_fonts())  # builds both fonts' character maps, as every document does
    office = printing.Office(municipality="見本市", mayor_title="見本市長", mayor_name="見本　太郎", section="市民課",
                             contact="見本市役所")
    printing.registration_card("00000000", office, issued_on=date.today())


def start_warm_up(pool: ImagingPool) -> threading.Thread | None:
    """Warm this process (and its imaging pool) up in a daemon thread, once; None when it already was (or is
    being) warmed."""
    if _started.is_set():
        return None
    _started.set()
    thread = threading.Thread(target=_run, args=(pool,), name="inkan-warm-up", daemon=True)
    thread.start()
    return thread


def _run(pool: ImagingPool) -> None:
    took = warm_up(pool)
    log.info("warmed up: %s", ", ".join(f"{name} {seconds:.2f} s" for name, seconds in took.items()))


def register_warm_up(app: Flask) -> None:
    """Start the warm-up on the process's first request (after gunicorn's fork, never in CLI commands or tests)."""
    if not app.config["WARM_UP"] or app.testing:
        return

    @app.before_request
    def _warm_once() -> None:
        if not _started.is_set():
            start_warm_up(app.extensions["inkan"].services.imaging_pool)
