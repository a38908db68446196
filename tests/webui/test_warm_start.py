"""Issue 15 point 10: a process warms imaging and printing as it begins to serve, and the search page finds every
row's active registration number in one query."""

from __future__ import annotations

import logging
import os
import runpy
import threading
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import event

import printing
import webui.warmup as warmup
from conftest import make_test_app
from handlers.imaging_pool import ImagingPool
from registry.seals import records
from webui.config import ConfigurationError


def test_warm_up_runs_imaging_and_printing_without_a_failure(caplog):
    with caplog.at_level(logging.ERROR, logger="webui.warmup"):
        took = warmup.warm_up()
    assert set(took) == {"imaging", "printing"} and not caplog.records
    office = printing.Office(municipality="見本市", mayor_title="見本市長", mayor_name="見本　太郎", section="市民課",
                             contact="見本市役所")
    assert printing.registration_card("12345678", office, issued_on=date(2026, 4, 1)).startswith(b"%PDF")


def test_a_failing_warm_up_is_logged_and_never_raised(monkeypatch, caplog):
    monkeypatch.setattr(warmup, "_printing", lambda: (_ for _ in ()).throw(OSError("font gone")))
    with caplog.at_level(logging.ERROR, logger="webui.warmup"):
        took = warmup.warm_up()
    assert "printing" in took and any("printing" in r.getMessage() for r in caplog.records)


@pytest.fixture
def started(monkeypatch) -> list:
    """Warm-ups started (recorded, not run); this process counts as not yet warmed."""
    calls, flag = [], threading.Event()
    monkeypatch.setattr(warmup, "_started", flag)

    def start(pool) -> None:
        calls.append(pool)
        flag.set()

    monkeypatch.setattr(warmup, "start_warm_up", start)
    return calls


def test_start_warm_up_starts_one_thread_per_process(monkeypatch):
    monkeypatch.setattr(warmup, "_started", threading.Event())
    monkeypatch.setattr(warmup, "warm_up", lambda _pool: {})
    pool = ImagingPool(0)
    first = warmup.start_warm_up(pool)
    assert first is not None and first.daemon and warmup.start_warm_up(pool) is None
    first.join()


def test_a_serving_process_warms_up_once_on_its_first_request(started, tmp_path, tmp_path_factory):
    app = make_test_app(f"sqlite:///{tmp_path / 'warm.sqlite3'}", tmp_path_factory, TESTING=False)
    client = app.test_client()
    client.get("/login"), client.get("/login")
    assert started == [app.extensions["inkan"].services.imaging_pool]


def test_gunicorn_started_web_processes_warm_up_at_their_start_and_stop_their_pool_at_their_end(
        started, tmp_path, tmp_path_factory):
    """`gunicorn 'webui:create_app()'` run from the checkout reads gunicorn.conf.py (docs/operations.md)."""
    hooks = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    app = make_test_app(f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}", tmp_path_factory, IMAGING_WORKERS=1)
    pool = app.extensions["inkan"].services.imaging_pool
    hooks["post_worker_init"](SimpleNamespace(wsgi=app))
    assert started == [pool]
    (pid,) = pool.warm()
    hooks["worker_exit"](None, SimpleNamespace(wsgi=app))
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


def test_tests_and_a_disabled_setting_do_not_warm_up(started, tmp_path, tmp_path_factory):
    for overrides in ({}, {"TESTING": False, "WARM_UP": False}):
        make_test_app(f"sqlite:///{tmp_path / 'cold.sqlite3'}", tmp_path_factory, **overrides).test_client().get(
            "/login")
    assert started == []


def test_warm_up_starts_the_imaging_pool_processes_warm():
    pool = ImagingPool(1)
    try:
        took = warmup.warm_up(pool)
        (pid,) = pool.warm()  # the process warm_up started, already answering
        assert set(took) == {"imaging", "printing"} and pid != os.getpid()
    finally:
        pool.shutdown()


def test_the_pool_size_is_a_setting_with_0_for_the_request_thread(tmp_path, tmp_path_factory):
    url = f"sqlite:///{tmp_path / 'size.sqlite3'}"
    assert make_test_app(url, tmp_path_factory, IMAGING_WORKERS=2).extensions["inkan"].services.imaging_pool.size == 2
    for wrong in (-1, 9, "many", 1.5):
        with pytest.raises(ConfigurationError, match="INKAN_IMAGING_WORKERS"):
            make_test_app(url, tmp_path_factory, IMAGING_WORKERS=wrong)


def test_search_numbers_come_in_one_query_and_belong_to_their_rows(app, product, driver):
    registered = [driver.registered_person() for _ in range(2)]
    unregistered = driver.fresh_resident()
    statements = []
    bind = product.session_factory.kw["bind"]
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - before_cursor_execute(conn, cursor, sql…)
    with product.session_factory() as session:
        event.listen(bind, "before_cursor_execute", listener)
        try:
            numbers = records.active_numbers_of(session, [*(p.resident_id for p in registered), unregistered])
        finally:
            event.remove(bind, "before_cursor_execute", listener)
    assert numbers == {p.resident_id: p.registration_number for p in registered}
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
