"""PULL (issue 16.9): the worker reads the register's change feed from a cursor kept in the database, hands each
change to the intake exactly once (two rounds, several pages, two workers at once, a restart), backs off with one
log line while the register is down, and works against the simulator served over HTTP as an external register."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from engine.runtime.worker import run_worker
from handlers.linkage.intake import ReceivedEvent, receive
from juki.linkage.models import LinkageCursor
from juki.linkage.pull import BUSY, DONE, FAILED, NOT_DUE, pull_changes
from juki.models import SimChange
from juki.simulator import SimulatedRegister
from registry.seals import records
from tests.support.resident_events import record

LOGGER = "inkan.juki.linkage"


def cursor_row(product) -> LinkageCursor:
    with product.session_factory() as session:
        return session.get(LinkageCursor, "pull")


def last_change_id(product) -> int:
    with product.session_factory() as session:
        return session.scalar(select(func.max(SimChange.id)))


def receipts(product, events) -> dict[str, list[str]]:
    """event id → the sources it was received from (one entry each time it was stored)."""
    with product.session_factory() as session:
        rows = session.scalars(select(ReceivedEvent).where(ReceivedEvent.event_id.in_([e.event_id for e in events])))
        found: dict[str, list[str]] = {event.event_id: [] for event in events}
        for row in rows:
            found[row.event_id].append(row.source)
    return found


def moves(product, driver, count: int) -> list:
    """``count`` changes (転居) of fresh residents, recorded in the simulator and not handed to the intake."""
    return [event for n in range(count)
            for event in record(product, "move_within", driver.fresh_resident(), address=f"見本市引越町{n + 1}番")]


def pull(product, now, *, force: bool = True, **settings):
    return pull_changes(product.session_factory, product.services.juki_factory, receive, now=now, force=force,
                        settings=dataclasses.replace(product.linkage, **settings))


def test_each_change_is_taken_in_exactly_once_over_two_rounds(pulling, driver):
    first = moves(pulling, driver, 3)
    assert receipts(pulling, first) == {event.event_id: [] for event in first}  # pull: nothing pushed
    one = pulling.take_in_resident_changes(force=True)
    second = moves(pulling, driver, 2)
    two = pulling.take_in_resident_changes(force=True)
    assert (one.pull.state, one.pull.received, one.pull.duplicates) == (DONE, 3, 0)
    assert (two.pull.state, two.pull.received, two.pull.duplicates) == (DONE, 2, 0)
    assert receipts(pulling, first + second) == {event.event_id: ["pull"] for event in first + second}
    assert cursor_row(pulling).cursor == str(last_change_id(pulling))


def test_a_round_reads_page_after_page(pulling, driver):
    events = moves(pulling, driver, 5)
    result = pull(pulling, pulling.services.clock(), page_size=2)
    assert (result.state, result.received, result.pages) == (DONE, 5, 3)
    assert all(sources == ["pull"] for sources in receipts(pulling, events).values())


def test_the_feed_is_asked_again_only_after_the_period(pulling, driver):
    start = pulling.services.clock() + timedelta(days=1)
    assert pull(pulling, start, force=False).state == DONE
    events = moves(pulling, driver, 1)
    assert pull(pulling, start + timedelta(seconds=30), force=False).state == NOT_DUE
    assert receipts(pulling, events) == {events[0].event_id: []}
    assert pull(pulling, start + timedelta(seconds=61), force=False).received == 1


def test_two_workers_at_once_take_each_page_once(pulling, driver):
    """Both workers ask a slow register at the same moment: the cursor row's lock lets one read each page."""
    events = moves(pulling, driver, 6)

    def slow(session: Session):
        class Slow(SimulatedRegister):
            def changes_since(self, cursor: str = "", limit: int = 100):
                time.sleep(0.2)  # both workers are inside a round at the same time
                return super().changes_since(cursor, limit)
        return Slow(session)

    results, start = [], threading.Barrier(2)

    def worker() -> None:
        start.wait()
        results.append(pull_changes(pulling.session_factory, slow, receive, now=pulling.services.clock(), force=True,
                                    settings=dataclasses.replace(pulling.linkage, page_size=2)))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.received for r in results) == 6 and sum(r.duplicates for r in results) == 0
    assert {r.state for r in results} <= {DONE, BUSY}
    assert receipts(pulling, events) == {event.event_id: ["pull"] for event in events}
    assert cursor_row(pulling).cursor == str(last_change_id(pulling))


def test_a_worker_skips_the_cursor_another_one_holds(pulling, driver, linkage_url):
    if not linkage_url.startswith("postgresql"):
        pytest.skip("SQLite has no row locks: its second worker waits for the first one's commit (test above)")
    events = moves(pulling, driver, 1)
    holder = create_engine(linkage_url)
    with Session(holder) as session, session.begin():
        session.scalars(select(LinkageCursor).where(LinkageCursor.source == "pull").with_for_update()).one()
        assert pulling.take_in_resident_changes(force=True).pull.state == BUSY
        assert receipts(pulling, events) == {events[0].event_id: []}
    holder.dispose()
    assert pulling.take_in_resident_changes(force=True).pull.received == 1


def test_a_restarted_product_resumes_from_the_stored_cursor(pulling, driver, make_app):
    events = moves(pulling, driver, 2)
    restarted = make_app().extensions["inkan"]  # a new process: nothing but the database carries over
    result = restarted.take_in_resident_changes(force=True).pull
    assert (result.received, result.duplicates) == (2, 0)
    assert receipts(pulling, events) == {event.event_id: ["pull"] for event in events}


def test_register_down_keeps_the_cursor_and_logs_one_line(pulling, driver, make_app, caplog):
    events = moves(pulling, driver, 1)
    before = cursor_row(pulling)
    down = make_app(JUKI="http", JUKI_URL="http://127.0.0.1:9/juki", JUKI_CONNECT_TIMEOUT=1).extensions["inkan"]
    later = down.services.clock() + timedelta(days=1)  # past the period the fixture's round started
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    first = pull(down, later, force=False)
    assert pull(down, later + timedelta(seconds=30), force=False).state == NOT_DUE  # backing off
    second = pull(down, later + timedelta(seconds=61), force=False)
    failed = cursor_row(pulling)
    assert (first.state, second.state) == (FAILED, FAILED) and "接続できません" in first.error
    assert failed.cursor == before.cursor and failed.failures == 2 and "接続できません" in failed.last_error
    assert failed.next_attempt_at == (later + timedelta(seconds=61 + 120)).replace(tzinfo=None)  # 60 s, then 120 s

    stop = threading.Event()  # the worker's loop goes on failing: no traceback, no further line
    run_worker(down.runner, stop, 0.01, rounds=(lambda: down.take_in_resident_changes(force=True).received
                                                or stop.set() or 0,))
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and warnings[0].name == LOGGER and warnings[0].exc_info is None
    assert cursor_row(pulling).failures == 3 and receipts(pulling, events) == {events[0].event_id: []}

    back = pulling.take_in_resident_changes(force=True).pull
    assert (back.state, back.received) == (DONE, 1) and cursor_row(pulling).failures == 0
    assert any("read again after 3 failed" in r.getMessage() for r in caplog.records)


def test_pull_over_http_from_the_served_simulator_closes_the_registration(pulling, driver, make_app, served):
    """INKAN_JUKI=http: the registry reads the change feed of the register served on 127.0.0.1 and a 死亡 recorded
    there becomes a 除票 after the worker's rounds."""
    registered = driver.register()
    [death] = record(pulling, "die", registered.resident_id)
    remote = make_app(JUKI="http", JUKI_URL=served.url).extensions["inkan"]
    assert remote.linkage_round() >= 1  # the autouse fixture made it due
    assert receipts(remote, [death]) == {death.event_id: ["pull"]}
    assert remote.process_resident_events() >= 1
    with remote.session_factory() as session:
        closed = records.registration_by_number(session, registered.registration_number)
        row = session.scalars(select(ReceivedEvent).where(ReceivedEvent.event_id == death.event_id)).one()
    assert (row.outcome, closed.status, closed.close_reason) == ("started", "deleted", "死亡")
