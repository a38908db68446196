"""Without a database: every request answers 503 with Retry-After, a Japanese message and the code
database_unavailable (pages and API); /healthz still answers, /readyz says not ready; the worker backs off and logs
one line when the database goes and one when it comes back. The database goes away mid-run: the SQLite file's
directory is moved away, or the app is pointed at a PostgreSQL port where nothing listens."""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from conftest import TEST_PASSWORD, make_database, make_test_app, seed_test_app
from engine.runtime.worker import MAX_BACKOFF_SECONDS, run_worker
from registry.staff import accounts
from webui.api.openapi import openapi_document

DEAD_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/inkan"  # port 1: nothing listens


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def outage(request, tmp_path_factory):
    """(app, take_database_away, bring_it_back): a seeded product whose database can disappear mid-run."""
    url = make_database(request.param, tmp_path_factory)
    app = make_test_app(url, tmp_path_factory)
    seed_test_app(app)
    product = app.extensions["inkan"]
    working = product.session_factory.kw["bind"]
    with product.session_factory.begin() as session:
        app.config["OUTAGE_TOKEN"] = {"Authorization": f"Bearer {accounts.issue_token(session, 'madoguchi')}"}
    folder = Path(url.removeprefix("sqlite:///")).parent if request.param == "sqlite" else None

    def away() -> None:
        working.dispose()
        if folder is not None:
            shutil.move(folder, folder.with_name(folder.name + "-away"))
        else:
            product.session_factory.configure(bind=create_engine(DEAD_POSTGRES, connect_args={"connect_timeout": 2}))

    def back() -> None:
        product.session_factory.kw["bind"].dispose()
        if folder is not None:
            shutil.move(folder.with_name(folder.name + "-away"), folder)
        product.session_factory.configure(bind=working)

    yield app, away, back
    working.dispose()
    if request.param == "postgresql":
        from conftest import drop_database

        drop_database(url)


def signed_in(app):
    client = app.test_client()
    assert client.post("/login", data={"username": "madoguchi", "password": TEST_PASSWORD}).status_code == 302
    assert client.post("/audit/purpose", data={"purpose": "audit"}).status_code == 302
    return client


def test_every_request_answers_503_while_the_database_is_away(outage):
    app, away, back = outage
    page, api, token = signed_in(app), app.test_client(), app.config["OUTAGE_TOKEN"]
    assert page.get("/").status_code == 200 and api.get("/api/v1/inbox", headers=token).status_code == 200
    away()
    try:
        answers = [page.get("/"), page.get("/residents?kana=ヤマダ"), page.get("/instances/1"),
                   page.post("/start/sokuji_touroku", data={"resident_id": ""}),
                   app.test_client().post("/login", data={"username": "madoguchi", "password": TEST_PASSWORD}),
                   api.get("/api/v1/inbox", headers=token), api.post("/api/v1/instances", headers=token,
                                                                     json={"process_id": "sokuji_touroku"}),
                   api.get("/api/v1/instances/1", headers=token)]
        for response in answers:
            assert response.status_code == 503, (response.request.path, response.status_code)
            assert response.headers["Retry-After"] == "10"
            body = response.get_json() if response.is_json else {"error": "", "message": response.get_data(as_text=True)}
            assert "データベースに接続できない" in body["message"]
            assert body["error"] == "database_unavailable" or "database_unavailable" in body["message"]
        assert answers[0].mimetype == "text/html" and answers[-1].get_json()["error"] == "database_unavailable"
        assert "503" in openapi_document()["paths"]["/inbox"]["get"]["responses"]
        assert app.test_client().get("/healthz").status_code == 200
        ready = app.test_client().get("/readyz")
        assert ready.status_code == 503 and ready.get_json()["error"] == "database_unavailable"
        assert ready.headers["Retry-After"]
    finally:
        back()
    assert page.get("/").status_code == 200 and api.get("/api/v1/inbox", headers=token).status_code == 200
    ready = app.test_client().get("/readyz").get_json()
    assert ready["status"] == "ready" and ready["database"] == "ok" and ready["revision"]
    assert set(ready["linkage"]) == {"ok"} and isinstance(ready["linkage"]["ok"], bool)  # no details without login


class CountingStop(threading.Event):
    """The worker's stop event: records each wait instead of sleeping; calls `at[n]` before the n-th wait."""

    def __init__(self, rounds: int, at: dict):
        super().__init__()
        self.waits: list[float] = []
        self.rounds, self.at = rounds, at

    def wait(self, timeout=None) -> bool:
        self.waits.append(timeout)
        if len(self.waits) in self.at:
            self.at[len(self.waits)]()
        if len(self.waits) >= self.rounds:
            self.set()
        return self.is_set()


def test_the_worker_backs_off_and_logs_one_line_each_way(outage, caplog):
    app, away, back = outage
    runner = app.extensions["inkan"].runner
    away()
    stop = CountingStop(rounds=12, at={9: back})
    with caplog.at_level(logging.INFO, logger="inkan.worker"):
        run_worker(runner, stop, interval=2.0, rounds=(app.extensions["inkan"].process_resident_events,))
    assert stop.waits == [2.0, 4.0, 8.0, 16.0, 30, 30, 30, 30, 30, 2.0, 2.0, 2.0]  # doubling, capped at 30 s
    assert MAX_BACKOFF_SECONDS == 30
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]  # of every logger
    assert [(r.name, r.levelname) for r in lines] == [("inkan.worker", "WARNING")] * 2, [r.getMessage() for r in lines]
    assert "データベースに接続できません" in lines[0].getMessage() and not lines[0].exc_info
    assert "再接続しました" in lines[1].getMessage()


def test_a_broken_statement_is_not_mistaken_for_an_outage():
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from engine.database import is_database_unavailable

    class Orig(Exception):
        sqlstate = "42P01"  # undefined table: a bug, not an outage

    assert not is_database_unavailable(ProgrammingError("SELECT", (), Orig()))
    assert not is_database_unavailable(OperationalError("SELECT", (), Orig()))
    assert is_database_unavailable(OperationalError("connect", (), Exception("connection refused")))
