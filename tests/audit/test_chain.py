"""Hash chains: every audit event, history entry and access-log row is linked; a row altered, deleted or added
behind the application's back is found and named; anchors catch a chain rebuilt after the anchor."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.evidence.anchors import AuditAnchor, anchor_if_due, write_anchors
from engine.evidence.audit import record
from engine.evidence.chain import ChainHead, stamp_pending
from engine.evidence.verify import verify_all, verify_chain
from engine.models import AuditEvent
from registry.seals.models import HistoryEntry
from tests.support.evidence import without_append_only
from webui.audit.chains import AUDIT_CHAIN, HISTORY_CHAIN
from webui.schema import alembic_config

AUDITOR = Actor("auditor", "auditor")


def test_rows_written_by_a_registration_are_chained_and_verify(product, driver):
    registered = driver.register()
    with product.session_factory() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == registered.instance_id)
                                 .order_by(AuditEvent.chain_seq)).all()
        history = session.scalars(select(HistoryEntry).where(HistoryEntry.instance_id == registered.instance_id)
                                  ).all()
        assert events and all(e.row_hash and len(e.row_hash) == 64 for e in events)
        assert history and all(h.chain_seq and h.row_hash for h in history)
        seqs = [e.chain_seq for e in events]
        assert seqs == sorted(set(seqs))
        reports = {r.name: r for r in verify_all(session)}
    assert reports["audit_event"].ok and reports["registration_history"].ok, reports
    assert reports["audit_event"].rows >= len(events)


def test_altered_audit_event_is_found_and_named(product, driver):
    registered = driver.register()
    with product.session_factory.begin() as session:
        victim = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == registered.instance_id,
                                                          AuditEvent.kind == "complete")).first()
        original = victim.actor
        with without_append_only(session, "audit_event"):
            session.execute(text("UPDATE audit_event SET actor = 'someone_else' WHERE id = :id"), {"id": victim.id})
            session.flush()
            report = verify_chain(session, AUDIT_CHAIN)
            assert not report.ok
            assert report.broken_id == victim.id and report.broken_seq == victim.chain_seq
            assert "書き換え" in report.problem
            # put it back: the chain is whole again (the test leaves the shared database as it found it)
            session.execute(text("UPDATE audit_event SET actor = :a WHERE id = :id"), {"a": original, "id": victim.id})
    with product.session_factory() as session:
        assert verify_chain(session, AUDIT_CHAIN).ok


def test_deleted_history_entry_is_found(product, driver):
    registered = driver.register()
    with product.session_factory.begin() as session:
        entry = session.scalars(select(HistoryEntry).where(HistoryEntry.instance_id == registered.instance_id)
                                .order_by(HistoryEntry.chain_seq)).first()
        nxt = session.scalars(select(HistoryEntry).where(HistoryEntry.chain_seq == entry.chain_seq + 1)).first()
        assert nxt is not None
        saved = {c.name: getattr(entry, c.name) for c in HistoryEntry.__table__.columns}
        with without_append_only(session, "registration_history"):
            session.execute(text("DELETE FROM registration_history WHERE id = :id"), {"id": entry.id})
            report = verify_chain(session, HISTORY_CHAIN)
            assert not report.ok and report.broken_id == nxt.id
            assert "連番が飛んでいます" in report.problem
            session.execute(HistoryEntry.__table__.insert().values(**saved))
    with product.session_factory() as session:
        assert verify_chain(session, HISTORY_CHAIN).ok


def test_row_written_around_the_hook_is_found(product):
    with product.session_factory.begin() as session:
        session.execute(AuditEvent.__table__.insert().values(actor="intruder", kind="complete", summary_json="{}",
                                                             at=date(2026, 1, 1)))
        report = verify_chain(session, AUDIT_CHAIN)
        assert not report.ok and "ハッシュなし" in report.problem
        session.rollback()


def test_anchor_catches_a_rebuilt_chain(product):
    with product.session_factory.begin() as session:
        record(session, AUDITOR, "complete", title="anchored")
        session.flush()
        anchors = {a.chain: a for a in write_anchors(session, date(2099, 1, 1), "test")}
        anchored = anchors["audit_event"]
        assert anchored.seq == session.get(ChainHead, "audit_event").last_seq
        # rewrite the anchored row AND its hash (a consistent forgery): only the anchor can tell
        with without_append_only(session, "audit_event"):
            session.execute(text("UPDATE audit_event SET row_hash = :h WHERE chain_seq = :s"),
                            {"h": "f" * 64, "s": anchored.seq})
            report = verify_chain(session, AUDIT_CHAIN)
            assert not report.ok
            assert report.broken_seq == anchored.seq
        session.rollback()


def test_concurrent_writers_keep_one_chain(product):
    import threading

    def write(n: int) -> None:
        for i in range(5):
            with product.session_factory.begin() as session:
                record(session, AUDITOR, "complete", title=f"thread {n} event {i}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with product.session_factory() as session:
        assert verify_chain(session, AUDIT_CHAIN).ok


def test_cli_verify_and_anchor(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "audit_event" in result.output and "正常" in result.output
    out = tmp_path / "anchors.txt"
    result = runner.invoke(args=["audit", "anchor", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert any("\taudit_event\t" in line for line in lines)


def test_worker_anchors_once_a_day(product):
    with product.session_factory.begin() as session:
        first = anchor_if_due(session, by="test-worker")
        again = anchor_if_due(session, by="test-worker")
        days = session.scalars(select(AuditAnchor.day).where(AuditAnchor.created_by == "test-worker")).all()
    assert again is False
    assert first is False or len(days) == 3  # one row per chain on the first call of the day


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    """A database with no schema yet (this test migrates it step by step)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    from conftest import _create_pg_database, _drop_pg_database

    url = _create_pg_database()
    yield url
    _drop_pg_database(url)


def test_migration_links_rows_written_before_it(empty_database_url):
    url = empty_database_url
    config = alembic_config(url)
    command.upgrade(config, "0006")
    engine = create_engine(url)
    with engine.begin() as conn:
        for n in range(3):
            conn.execute(text("INSERT INTO audit_event (at, actor, kind, summary_json) "
                              "VALUES (:at, 'old', 'complete', '{}')"), {"at": datetime(2026, 1, n + 1, 10)})
    command.upgrade(config, "head")
    with Session(engine) as session:
        report = verify_chain(session, AUDIT_CHAIN)
        assert report.ok and report.rows == 3, report
        with pytest.raises(DatabaseError, match="append-only"):  # the trigger is back
            session.execute(text("UPDATE audit_event SET actor = 'x'"))
    engine.dispose()


def test_quick_check_walks_from_the_newest_anchor_but_still_checks_every_anchor(product, login):
    with product.session_factory.begin() as session:
        record(session, AUDITOR, "complete", title="before the anchor")
        session.flush()
        anchored = {a.chain: a for a in write_anchors(session, date(2098, 1, 1), "test")}["audit_event"]
        record(session, AUDITOR, "complete", title="after the anchor")
        stamp_pending(session)  # linked now rather than at the commit, to check inside this transaction
        quick = verify_chain(session, AUDIT_CHAIN, since_anchor=True)
        full = verify_chain(session, AUDIT_CHAIN)
        assert quick.ok and full.ok and quick.from_seq == anchored.seq
        assert quick.rows == full.rows - anchored.seq and quick.head_seq == full.head_seq
        victim = session.scalar(select(AuditEvent.id).where(AuditEvent.chain_seq == anchored.seq - 1))
        with without_append_only(session, "audit_event"):
            session.execute(text("UPDATE audit_event SET title = 'forged' WHERE id = :id"), {"id": victim})
            assert verify_chain(session, AUDIT_CHAIN, since_anchor=True).ok  # before the anchor: only a full walk
            assert verify_chain(session, AUDIT_CHAIN).broken_id == victim
        session.rollback()
    html = login("auditor").get("/audit/chains").get_data(as_text=True)
    assert html.count("chain-card chain-ok") == 3 and "直近の固定値以降" in html
    assert "全件を検査しました" in login("auditor").get("/audit/chains?full=1").get_data(as_text=True)


def test_the_worker_round_writes_the_daily_anchor(product):
    from engine.runtime.worker import daily_anchor

    write = daily_anchor(product.runner)
    assert write() in (0, 1)
    assert write() == 0  # once a day
    with product.session_factory() as session:
        assert session.scalars(select(AuditAnchor.day)).first() is not None
