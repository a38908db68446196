"""Impression work (reading a scan, normalising, comparing) in a few worker processes at a lower CPU priority.

Measuring a 600 dpi scan takes a quarter of a second of both cores. Run in a web process's request thread it holds
the GIL and the CPU while every other clerk's page waits; in a pool process niced below the web processes the
pages go first and the scan waits for what CPU is left. `ImagingPool(0)` does the same work in the calling thread
(tests, one-shot commands).

A pool process that dies (killed, out of memory) breaks the whole executor: the work is sent once more to a new
pool, and when that fails too `ImagingUnavailable` (a HandlerError) is raised — the service task becomes an
incident the administrator retries, and a page shows the message; nothing of the unit of work is written.

The functions the pool runs take and return plain values (bytes, numbers, imaging's frozen dataclasses), so they
cross the process boundary; imaging stays pure.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, ParamSpec, TypeVar

import imaging
from handlers.base import HandlerError

if TYPE_CHECKING:
    from handlers.environment import RegistrySettings

__all__ = ["Compared", "ImagingPool", "ImagingUnavailable", "Limits", "ReadScan", "compare_pairs", "read_scan",
           "warm_imaging"]

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
NICE = 10  # below the web processes' request threads, above nothing else that matters
ATTEMPTS = 2  # the work once more on a new pool after a pool process died
REMEMBERED = 8  # scans read lately, by content: a 600 dpi scan's reading with its pictures is about 1 MB


class ImagingUnavailable(HandlerError):
    code = "imaging_unavailable"


@dataclass(frozen=True)
class Limits:
    """What reading a scan needs of the settings: the dpi assumed when the file has none, and the 8–25 mm rule."""

    default_dpi: float = 300.0
    min_mm: float = 8.0
    max_mm: float = 25.0

    @classmethod
    def of(cls, settings: RegistrySettings) -> Limits:
        return cls(settings.default_dpi, settings.seal_min_mm, settings.seal_max_mm)


@dataclass(frozen=True)
class ReadScan:
    """A scan read (4.1.5.1): its dpi and where that came from, the measurement, the normalised crop (None when no
    impression was found) and, when asked for, the scan with the measured outline drawn on it."""

    dpi: float
    dpi_source: str
    measurement: imaging.Measurement
    normalized: imaging.NormalizedImpression | None
    annotated: bytes | None = None


class Compared(NamedTuple):
    """One comparison (a against b) and its overlay picture (a in red over b in blue)."""

    comparison: imaging.Comparison
    overlay: bytes


def read_scan(data: bytes, dpi: float | None, limits: Limits, annotate: bool = False) -> ReadScan:
    """Load, measure and (when an impression is found) normalise a scan. Raises imaging.ImagingError."""
    scan = imaging.load_scan(data, dpi=dpi, default_dpi=limits.default_dpi)
    measurement = imaging.measure_impression(scan, min_mm=limits.min_mm, max_mm=limits.max_mm)
    if not measurement.found:
        return ReadScan(scan.dpi, scan.dpi_source, measurement, None)
    return ReadScan(scan.dpi, scan.dpi_source, measurement, imaging.normalize_impression(scan, measurement),
                    imaging.annotate_scan(scan, measurement) if annotate else None)


def compare_pairs(pairs: Sequence[tuple[bytes, float, bytes, float]], thresholds: imaging.Thresholds) -> list[Compared]:
    """Each (a_png, a_mm_per_px, b_png, b_mm_per_px) compared, with its overlay. Raises imaging.ImagingError."""
    found = []
    for a_png, a_mm_per_px, b_png, b_mm_per_px in pairs:
        comparison = imaging.compare_impressions(a_png, a_mm_per_px, b_png, b_mm_per_px, thresholds)
        found.append(Compared(comparison, imaging.overlay_png(a_png, a_mm_per_px, b_png, b_mm_per_px, comparison)))
    return found


def warm_imaging(limits: Limits = Limits()) -> None:
    """Run each cold path of imaging once (OpenCV's and NumPy's lazy set-up, the PNG codecs) on a tiny scan."""
    scan = imaging.make_seal_scan("見本", size_mm=12.0, dpi=300)
    read = read_scan(scan, None, limits, annotate=True)
    if read.normalized is not None:
        compare_pairs([(read.normalized.png, read.normalized.mm_per_px) * 2], imaging.Thresholds())


def _start_process(nice: int, limits: Limits) -> None:
    """A pool process's start: lower its priority, then warm imaging so its first scan is as fast as later ones."""
    try:
        os.nice(nice)
        warm_imaging(limits)
    except Exception:  # noqa: BLE001 - a cold or un-niced process still measures correctly
        log.exception("imaging pool process could not be prepared")


def _ready() -> int:
    return os.getpid()


class ImagingPool:
    """`size` processes (0: the caller's thread) that run read_scan / compare_pairs for request threads.

    The processes belong to the process that first used the pool: after a fork the child starts its own.
    """

    def __init__(self, size: int, limits: Limits = Limits(), nice: int = NICE) -> None:
        self.size, self.limits, self.nice = size, limits, nice
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._owner = 0  # pid of the process the executor belongs to
        self._exit_hook = False
        self._read: OrderedDict[tuple, ReadScan] = OrderedDict()

    def read(self, data: bytes, dpi: float | None, limits: Limits, annotate: bool = False) -> ReadScan:
        """read_scan, remembered for the last few scans: a scan read ahead of its task's completion (outside the
        transaction, whose audit chain lock every other clerk's write waits for) is not read again inside it.
        Raises imaging.ImagingError, ImagingUnavailable."""
        key = (hashlib.sha256(data).digest(), dpi, limits, annotate)
        with self._lock:
            if (known := self._read.get(key)) is not None:
                self._read.move_to_end(key)
                return known
        read = self.run(read_scan, data, dpi, limits, annotate=annotate)
        with self._lock:
            self._read[key] = read
            while len(self._read) > REMEMBERED:
                self._read.popitem(last=False)
        return read

    def run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """fn(*args, **kwargs) in a pool process (or here when the size is 0); its exceptions are raised here.

        Raises ImagingUnavailable when the work could not be done because pool processes kept dying.
        """
        if self.size <= 0:
            return fn(*args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            executor = self._current()
            try:
                return executor.submit(fn, *args, **kwargs).result()
            except BrokenProcessPool:
                log.warning("imaging pool process died (attempt %d of %d)", attempt, ATTEMPTS)
                self._discard(executor)
        raise ImagingUnavailable("印影の処理を行うプロセスが停止しました。しばらく待ってからもう一度実行してください")

    def warm(self) -> list[int]:
        """Start the pool processes, each warming imaging as it starts (in this thread when the size is 0); the pids
        of those that answered."""
        if self.size <= 0:
            warm_imaging(self.limits)
            return []
        executor = self._current()
        return sorted({future.result() for future in [executor.submit(_ready) for _ in range(self.size)]})

    def shutdown(self) -> None:
        """Stop the pool processes of this process (waiting for the work under way); the next run starts new ones."""
        with self._lock:
            executor, self._executor = (self._executor, None) if self._owner == os.getpid() else (None, None)
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _current(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None or self._owner != os.getpid():
                self._executor, self._owner = self._start(), os.getpid()
            return self._executor

    def _start(self) -> ProcessPoolExecutor:
        # forkserver: a fork of a clean process (the web process has threads, which fork must not copy), with
        # imaging already imported there so a replacement process starts in a fraction of a second
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["handlers.imaging_pool"])
        if not self._exit_hook:  # no pool process outlives its process
            atexit.register(self.shutdown)
            self._exit_hook = True
        return ProcessPoolExecutor(self.size, mp_context=context, initializer=_start_process,
                                   initargs=(self.nice, self.limits))

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)
