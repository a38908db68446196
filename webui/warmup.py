"""Warm start: the first scan and the first printed document after a start cost as much as later ones.

A fresh process pays once for OpenCV's and NumPy's lazy initialisation (kernels, thread pools, PNG codecs), for
parsing the two IPAex fonts (~10 MB of TrueType) and their character maps, and for reportlab's first canvas. A clerk
met all of it on the first 600 dpi scan (10.7 s) or the first 印鑑登録証 (3.3 s). Here one tiny synthetic scan is
measured, normalised, annotated and compared, and one card is rendered, in a background thread when the process
begins to serve (webui: its first request, usually the login page or a health probe; `inkan worker`: its start),
so the clerk's own request finds everything loaded.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date

from flask import Flask

__all__ = ["register_warm_up", "start_warm_up", "warm_up"]

log = logging.getLogger(__name__)
_started = threading.Event()  # one warm-up per process: the caches it fills are per process


def warm_up(*, min_mm: float = 8.0, max_mm: float = 25.0, default_dpi: float = 300.0) -> dict[str, float]:
    """Run each cold path once; seconds each part took. Never raises: a warm-up that fails leaves the first
    request as slow as before, nothing worse (the failure is logged)."""
    took: dict[str, float] = {}
    for name, step in (("imaging", lambda: _imaging(min_mm, max_mm, default_dpi)), ("printing", _printing)):
        began = time.perf_counter()
        try:
            step()
        except Exception:  # noqa: BLE001 - a warm-up must never take the process down
            log.exception("warm-up of %s failed", name)
        took[name] = time.perf_counter() - began
    return took


def _imaging(min_mm: float, max_mm: float, default_dpi: float) -> None:
    import imaging

    scan = imaging.load_scan(imaging.make_seal_scan("見本", size_mm=12.0, dpi=300), dpi=None, default_dpi=default_dpi)
    measurement = imaging.measure_impression(scan, min_mm=min_mm, max_mm=max_mm)
    if measurement.found:
        normalized = imaging.normalize_impression(scan, measurement)
        imaging.annotate_scan(scan, measurement)
        imaging.compare_impressions(normalized.png, normalized.mm_per_px, normalized.png, normalized.mm_per_px)


def _printing() -> None:
    import printing
    from printing.fonts import check_printable, default_fonts

    check_printable("見本", "warm-up", default_fonts())  # builds both fonts' character maps, as every document does
    office = printing.Office(municipality="見本市", mayor_title="見本市長", mayor_name="見本　太郎", section="市民課",
                             contact="見本市役所")
    printing.registration_card("00000000", office, issued_on=date.today())


def start_warm_up(config) -> threading.Thread | None:
    """Warm this process up in a daemon thread, once; None when it already was (or is being) warmed."""
    if _started.is_set():
        return None
    _started.set()
    thread = threading.Thread(target=_run, args=(float(config["SEAL_MIN_MM"]), float(config["SEAL_MAX_MM"]),
                                                 float(config["DEFAULT_DPI"])), name="inkan-warm-up", daemon=True)
    thread.start()
    return thread


def _run(min_mm: float, max_mm: float, default_dpi: float) -> None:
    took = warm_up(min_mm=min_mm, max_mm=max_mm, default_dpi=default_dpi)
    log.info("warmed up: %s", ", ".join(f"{name} {seconds:.2f} s" for name, seconds in took.items()))


def register_warm_up(app: Flask) -> None:
    """Start the warm-up on the process's first request (after gunicorn's fork, never in CLI commands or tests)."""
    if not app.config["WARM_UP"] or app.testing:
        return

    @app.before_request
    def _warm_once() -> None:
        if not _started.is_set():
            start_warm_up(app.config)
