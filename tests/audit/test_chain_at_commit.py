"""Chained rows are linked when their transaction commits (issue 15 point 10): a clerk's page view is logged while
another clerk's completion is still running, a savepoint that rolls back leaves no gap, and the one change the
append-only triggers allow is filling in a new row's link, nothing more."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from engine.actor import Actor
from engine.database import is_postgresql
from engine.evidence.access_log import AccessEntry, log_view
from engine.evidence.audit import record
from engine.evidence.verify import verify_snapshot
from engine.models import AuditEvent
from registry.seals.models import HistoryEntry, Registration

CLERK = Actor("madoguchi", "madoguchi")
LINK = "chain_seq = 2000000000, row_hash = '" + "f" * 64 + "'"


def assert_chains_whole(product) -> None:
    reports = verify_snapshot(product.session_factory)
    assert all(report.ok for report in reports), [r for r in reports if not r.ok]


def test_a_page_view_is_logged_while_another_clerks_completion_is_still_running(product, driver):
    with product.session_factory() as probe:
        if not is_postgresql(probe):
            pytest.skip("SQLite lets one writer in at a time (BEGIN IMMEDIATE)")
    person = driver.registered_person()
    completion = product.session_factory()
    completion.begin()
    record(completion, CLERK, "complete", title="印影の照合と帳票の作成の途中")
    completion.flush()  # its audit row is written; the transaction goes on (comparing impressions, PDFs …)
    try:
        with product.session_factory.begin() as page:
            page.execute(text("SET LOCAL lock_timeout = '2s'"))  # waiting for the completion fails, never hangs
            viewed = log_view(page, CLERK, person.resident_id, "2.2.1 登録内容照会", "counter_application")
    finally:
        completion.commit()
        completion.close()
    with product.session_factory() as session:
        assert session.get(AccessEntry, viewed.id).row_hash
    assert_chains_whole(product)


def test_a_savepoint_rolled_back_leaves_no_gap(product):
    with product.session_factory.begin() as session:
        record(session, CLERK, "complete", title="kept before")
        with pytest.raises(RuntimeError), session.begin_nested():
            record(session, CLERK, "complete", title="rolled back")
            session.flush()
            raise RuntimeError("the handler refused")
        record(session, CLERK, "complete", title="kept after")
    with product.session_factory() as session:
        titles = session.execute(select(AuditEvent.title, AuditEvent.chain_seq).where(
            AuditEvent.title.in_(("kept before", "rolled back", "kept after"))).order_by(AuditEvent.chain_seq)).all()
    assert [title for title, _ in titles][-2:] == ["kept before", "kept after"]
    assert "rolled back" not in [title for title, _ in titles]
    assert titles[-1].chain_seq == titles[-2].chain_seq + 1
    assert_chains_whole(product)


def unlinked_rows(session, driver) -> dict[str, int]:
    """One new row of each chained table, every column filled, flushed but not linked yet (by table)."""
    person = driver.registered_person()
    registration_id = session.scalar(select(Registration.id).where(
        Registration.registration_number == person.registration_number))
    record(session, CLERK, "complete", instance_id=1, spec_name="task", title="title", summary={"a": 1})
    log_view(session, CLERK, person.resident_id, "what", "other", target="target", note="note")
    session.add(HistoryEntry(registration_id=registration_id, reason="reason", effective_date=date(2026, 1, 1),
                             operator="operator", instance_id=1, before_json='{"a": 1}', after_json='{"a": 2}'))
    session.flush()
    return {model.__tablename__: session.scalar(select(model.id).where(model.chain_seq.is_(None)))
            for model in (AuditEvent, AccessEntry, HistoryEntry)}


def _columns(session, table: str) -> list[str]:
    if is_postgresql(session):
        return list(session.scalars(text("SELECT column_name FROM information_schema.columns WHERE table_name = :t"),
                                    {"t": table}))
    return [row[1] for row in session.execute(text(f"PRAGMA table_info({table})"))]


def test_a_new_rows_link_is_filled_in_once_and_nothing_else_changes(product, driver):
    with product.session_factory() as session, session.begin():
        rows = unlinked_rows(session, driver)
        for table, row_id in rows.items():
            for column in sorted(set(_columns(session, table)) - {"chain_seq", "row_hash"}):
                change = "id = id + 1000000" if column == "id" else f"{column} = NULL"
                with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
                    session.execute(text(f"UPDATE {table} SET {LINK}, {change} WHERE id = :id"), {"id": row_id})
            with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():  # half a link
                session.execute(text(f"UPDATE {table} SET chain_seq = 2000000000 WHERE id = :id"), {"id": row_id})
            with session.begin_nested():
                session.execute(text(f"UPDATE {table} SET {LINK} WHERE id = :id"), {"id": row_id})
                with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():  # linked: final
                    session.execute(text(f"UPDATE {table} SET row_hash = '{'e' * 64}' WHERE id = :id"),
                                    {"id": row_id})
        session.rollback()


def test_postgresql_refuses_to_commit_a_row_written_without_its_link(product):
    with product.session_factory() as probe:
        if not is_postgresql(probe):
            pytest.skip("SQLite has no deferred triggers: the check names such a row (test_chain.py)")
    with pytest.raises(DBAPIError, match="without its hash-chain link"), product.session_factory.begin() as session:
        session.execute(AuditEvent.__table__.insert().values(actor="intruder", kind="complete", summary_json="{}"))
    assert_chains_whole(product)
