"""The audit check reads one snapshot: run while four writers append audit events, history rows and access-log
rows, it never reports tampering that did not happen, and it still names a row really altered behind its back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.actor import Actor
from engine.evidence.audit import record
from engine.evidence.verify import ChainReport, verify_snapshot
from engine.models import AuditEvent
from tests.support.evidence import Writers, set_audit_title

RUNS = 20


def checked_while_writing(product, writers: Writers) -> tuple[list[list[ChainReport]], int]:
    """RUNS checks (every second one the quick check from the newest anchor) while the writers append; also how
    many of them overlapped at least one writer's commit."""
    results, overlapped = [], 0
    for run in range(RUNS):
        before = writers.commits
        results.append(verify_snapshot(product.session_factory, since_anchor=bool(run % 2)))
        overlapped += writers.commits > before
    return results, overlapped


@pytest.fixture
def writers(product, driver) -> Writers:
    return Writers.for_new_registration(product, driver)


def test_no_false_alarm_while_four_writers_append(product, writers):
    with writers:
        results, overlapped = checked_while_writing(product, writers)
    problems = [(r.name, r.problem) for reports in results for r in reports if not r.ok]
    assert problems == []
    assert overlapped >= 1, "no check ran while a writer committed"
    heads = {r.name: {reports[i].head_seq for reports in results} for i, r in enumerate(results[0])}
    assert all(len(seen) > 1 for seen in heads.values()), heads  # every chain grew between the checks
    final = {r.name: r for r in verify_snapshot(product.session_factory)}
    assert all(r.ok for r in final.values())
    assert final["audit_event"].head_seq >= max(heads["audit_event"])


def test_real_tampering_is_still_found_while_writers_append(product, writers):
    with product.session_factory.begin() as session:  # the victim comes after every anchor: the quick check too
        record(session, Actor("chain-victim", "auditor"), "complete", title="本物")
    with product.session_factory() as session:
        victim = session.scalars(select(AuditEvent).order_by(AuditEvent.chain_seq.desc())).first()
        original_title, victim_id, victim_seq = victim.title, victim.id, victim.chain_seq
    assert original_title == "本物"
    set_audit_title(product.session_factory, victim_id, "書き換えた")
    try:
        with writers:
            results, _ = checked_while_writing(product, writers)
    finally:
        set_audit_title(product.session_factory, victim_id, original_title)
    for reports in results:
        by_name = {r.name: r for r in reports}
        audit = by_name.pop("audit_event")
        assert (audit.broken_id, audit.broken_seq) == (victim_id, victim_seq)
        assert "書き換えられています" in audit.problem
        assert all(r.ok for r in by_name.values()), [(r.name, r.problem) for r in by_name.values()]
    assert all(r.ok for r in verify_snapshot(product.session_factory))


def test_page_api_and_command_check_one_snapshot_too(app, product, writers, login, api_token):
    auditor, cli = login("auditor"), app.test_cli_runner()
    with writers:
        for _ in range(5):
            assert auditor.get("/audit/chains?full=1").get_data(as_text=True).count("chain-card chain-ok") == 3
            answer = auditor.get("/api/v1/audit/chains", headers=api_token("auditor")).get_json()
            assert [(c["chain"], c["problem"]) for c in answer if not c["ok"]] == []
            result = cli.invoke(args=["audit", "verify"])
            assert result.exit_code == 0 and result.output.count("正常") == 3, result.output
