"""Several workers start the day together: exactly one writes the day's anchors, the others find them (no unique
violation, no traceback in the worker's log); the anchors of all chains show one moment."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from conftest import _create_pg_database, _drop_pg_database
from engine.actor import Actor
from engine.database import connect
from engine.evidence.anchors import AuditAnchor, anchor_if_due
from engine.evidence.audit import record
from engine.evidence.chain import ChainHead
from webui.audit.chains import install_chains
from webui.schema import upgrade

DAY = date(2031, 4, 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def session_factory(request, tmp_path):
    """A database of its own: the anchors written here must not become the newest anchors of the shared one."""
    url = f"sqlite:///{tmp_path / 'anchors.sqlite3'}" if request.param == "sqlite" else _create_pg_database()
    upgrade(url)
    install_chains()  # the registry's history chain too, as the app factory does
    factory = connect(url)
    yield factory
    factory.kw["bind"].dispose()
    if request.param == "postgresql":
        _drop_pg_database(url)


def test_the_second_worker_waits_and_finds_the_first_ones_anchors(session_factory):
    with session_factory.begin() as session:
        record(session, Actor("clerk", "madoguchi"), "complete", title="before the day's anchor")
    second: list = []

    def second_worker() -> None:
        try:
            with session_factory.begin() as session:
                second.append(anchor_if_due(session, by="worker-2", day=DAY))
        except Exception as exc:  # noqa: BLE001 — the assertion below shows it
            second.append(exc)

    with session_factory.begin() as session:  # the first worker holds its transaction open …
        assert anchor_if_due(session, by="worker-1", day=DAY) is True
        thread = threading.Thread(target=second_worker)
        thread.start()
        time.sleep(0.5)  # … while the second one runs its round
        assert second == []  # it waits for the first one's locks
    thread.join()
    assert second == [False]
    with session_factory() as session:
        anchors = session.scalars(select(AuditAnchor).where(AuditAnchor.day == DAY)).all()
        heads = {h.name: (h.last_seq, h.last_hash) for h in session.scalars(select(ChainHead))}
        assert session.scalar(select(func.count()).select_from(AuditAnchor)) == len(heads) == 3
    assert {a.created_by for a in anchors} == {"worker-1"}
    assert {a.chain: (a.seq, a.head_hash) for a in anchors} == heads
    assert heads["audit_event"][0] == 1


def test_a_worker_round_after_the_anchors_takes_no_lock(session_factory):
    if session_factory.kw["bind"].dialect.name != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time (BEGIN IMMEDIATE) whatever the round locks")
    with session_factory.begin() as session:
        assert anchor_if_due(session, by="worker-1", day=DAY) is True
    with session_factory.begin() as holder:  # a clerk appending holds every chain head …
        record(holder, Actor("clerk", "madoguchi"), "complete", title="appending")
        holder.flush()
        done: list = []
        thread = threading.Thread(target=lambda: done.append(_round(session_factory)))
        thread.start()
        thread.join(timeout=10)
        assert done == [False]  # … and the worker's round did not wait for them
    thread.join()


def _round(session_factory) -> bool:
    with session_factory() as session:
        return anchor_if_due(session, by="worker-2", day=DAY)
