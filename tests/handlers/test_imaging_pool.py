"""Issue 15 point 10: impression work in a pool of niced processes gives what the same work gives in the request
thread; a pool process that dies costs a retry, never the work; the pool's processes end with it."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

import imaging
from handlers.imaging_pool import ImagingPool, ImagingUnavailable, Limits, compare_pairs, read_scan

SCAN = imaging.make_seal_scan("山本", size_mm=15.0, dpi=600)
OTHER = imaging.make_seal_scan("山木", size_mm=15.0, seed=3)


@pytest.fixture
def pool() -> Iterator[ImagingPool]:
    pool = ImagingPool(1)
    yield pool
    pool.shutdown()


def alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_a_scan_read_and_compared_in_the_pool_gives_what_the_request_thread_gives(pool):
    here = read_scan(SCAN, None, Limits(), annotate=True)
    there = pool.run(read_scan, SCAN, None, Limits(), annotate=True)
    assert there == here and there.normalized is not None and there.annotated is not None
    assert there.measurement.acceptable and 14.0 < there.measurement.square_mm < 16.0
    other = read_scan(OTHER, None, Limits()).normalized
    assert other is not None
    pairs = [(here.normalized.png, here.normalized.mm_per_px, other.png, other.mm_per_px),
             (here.normalized.png, here.normalized.mm_per_px, here.normalized.png, here.normalized.mm_per_px)]
    assert pool.run(compare_pairs, pairs, imaging.Thresholds()) == compare_pairs(pairs, imaging.Thresholds())
    assert [c.comparison.verdict for c in pool.run(compare_pairs, pairs, imaging.Thresholds())][1] == "same"


def test_the_pool_processes_start_warm_at_a_lower_priority_than_the_caller(pool):
    (pid,) = pool.warm()
    assert pid != os.getpid() and os.getpriority(os.PRIO_PROCESS, pid) > os.getpriority(os.PRIO_PROCESS, 0)
    assert pool.run(os.getpid) == pid


def test_an_imaging_error_in_the_pool_arrives_with_its_code_and_message(pool):
    with pytest.raises(imaging.UnusableImageError) as raised:
        pool.run(read_scan, b"not an image", None, Limits())
    assert raised.value.code == "not_an_image" and "画像ファイル" in raised.value.message


def test_a_killed_pool_process_costs_a_retry_on_a_new_process_not_the_work(pool):
    (pid,) = pool.warm()
    os.kill(pid, signal.SIGKILL)
    assert pool.run(read_scan, SCAN, None, Limits()) == read_scan(SCAN, None, Limits())
    (new_pid,) = pool.warm()
    assert new_pid != pid


def test_work_that_keeps_killing_its_process_is_refused_with_a_clear_error(pool):
    with pytest.raises(ImagingUnavailable) as raised:
        pool.run(os._exit, 3)
    assert raised.value.code == "imaging_unavailable" and "印影の処理" in raised.value.message
    assert pool.run(os.getpid) != os.getpid(), "the next work gets a new pool"


def test_shutdown_ends_the_pool_processes():
    pool = ImagingPool(1)
    (pid,) = pool.warm()
    assert alive(pid)
    pool.shutdown()
    assert not alive(pid)


def test_size_zero_works_in_the_callers_thread():
    pool = ImagingPool(0)
    assert pool.warm() == [] and pool.run(os.getpid) == os.getpid()


def test_a_scan_read_lately_is_not_read_again(monkeypatch):
    calls = []

    def counted(data, dpi, limits, annotate=False):
        calls.append(dpi)
        return read_scan(data, dpi, limits, annotate)

    monkeypatch.setattr("handlers.imaging_pool.read_scan", counted)
    pool = ImagingPool(0)
    first = pool.read(SCAN, None, Limits(), annotate=True)
    assert pool.read(bytes(SCAN), None, Limits(), annotate=True) is first and calls == [None]
    pool.read(SCAN, 600, Limits(), annotate=True)
    pool.read(SCAN, None, Limits())
    assert calls == [None, 600, None], "another dpi or no annotation is another reading"
