"""The engine's unit of work: completion, refusals that change nothing, incidents and retry, audit events."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from engine.actor import Actor
from engine.errors import FormInvalid, LaneForbidden, StaleInstance, TaskClaimedByOther, TaskNotOpen
from engine.evidence.audit import summary_of
from engine.models import AuditEvent, HumanTask, Incident, ProcessInstance
from engine.runtime.queries import instance_detail, open_tasks_of_instance

COUNTER = Actor("madoguchi", "madoguchi")
COUNTER_2 = Actor("madoguchi2", "madoguchi")
BACK = Actor("backyard", "backyard")


def open_task(product, instance_id):
    with product.session_factory() as session:
        return open_tasks_of_instance(session, instance_id)[0]


def audit_kinds(product, instance_id):
    with product.session_factory() as session:
        return list(session.scalars(select(AuditEvent.kind).where(AuditEvent.instance_id == instance_id)
                                    .order_by(AuditEvent.id)))


def state_of(product, instance_id):
    with product.session_factory() as session:
        instance = session.get(ProcessInstance, instance_id)
        return instance.version, instance.state, instance.status


def test_completion_runs_service_and_writes_inbox_and_audit(product, mini):
    started = mini.runner.start("mini", COUNTER)
    outcome = mini.runner.complete(started.next_task_id, COUNTER, {"amount": 21})
    assert outcome.status == "running"
    task = open_task(product, started.instance_id)
    assert (task.spec_name, task.lane, task.title) == ("task_check", "バックヤード", "確認")
    assert outcome.next_task_id is None  # the next task is in another lane
    with product.session_factory() as session:
        detail = instance_detail(session, product.specs, started.instance_id)
    assert detail.data["flaky"] == {"doubled": 42}
    assert audit_kinds(product, started.instance_id) == ["start", "complete", "service_call"]


def test_invalid_form_is_refused_in_japanese_and_changes_nothing(product, mini):
    started = mini.runner.start("mini", COUNTER)
    before = state_of(product, started.instance_id)
    with pytest.raises(FormInvalid) as refused:
        mini.runner.complete(started.next_task_id, COUNTER, {"amount": 5000, "note": "x" * 11, "extra": 1})
    assert refused.value.http_status == 422
    assert refused.value.errors["amount"] == "「金額」は1000以下にしてください"
    assert refused.value.errors["note"] == "「備考」が長すぎます（10文字以内）"
    assert "extra" in refused.value.errors["_form"]
    with pytest.raises(FormInvalid) as missing:
        mini.runner.complete(started.next_task_id, COUNTER, {})
    assert missing.value.errors == {"amount": "「金額」は必須です"}
    assert state_of(product, started.instance_id) == before
    assert audit_kinds(product, started.instance_id) == ["start"]
    assert open_task(product, started.instance_id).id == started.next_task_id


def test_html_strings_are_coerced_to_schema_types(product, mini):
    started = mini.runner.start("mini", COUNTER)
    outcome = mini.runner.complete(started.next_task_id, COUNTER, {"amount": "7", "note": ""}, from_html=True)
    assert outcome.status == "running"
    with pytest.raises(FormInvalid) as refused:
        mini.runner.complete(open_task(product, started.instance_id).id, BACK, {"ok": "false"}, from_html=True)
    assert refused.value.errors == {"ok": "「確認した」を確認してください"}


def test_stale_completion_gets_409_and_changes_nothing(product, mini):
    started = mini.runner.start("mini", COUNTER)
    mini.runner.complete(started.next_task_id, COUNTER, {"amount": 1})
    after_first = state_of(product, started.instance_id)
    with pytest.raises(TaskNotOpen) as second:
        mini.runner.complete(started.next_task_id, COUNTER_2, {"amount": 2})
    assert second.value.http_status == 409
    assert "既に処理されています" in second.value.message
    assert state_of(product, started.instance_id) == after_first
    assert mini.flaky.calls == [1]


def test_concurrent_completions_let_exactly_one_through(product, mini):
    started = mini.runner.start("mini", COUNTER)
    mini.runner.unclaim(started.next_task_id, COUNTER)  # in the inbox, unclaimed: any clerk of the lane may race
    results, barrier = [], threading.Barrier(4)

    def complete(i):
        barrier.wait()
        try:
            mini.runner.complete(started.next_task_id, Actor(f"clerk{i}", "madoguchi"), {"amount": i})
            results.append("ok")
        except (TaskNotOpen, StaleInstance) as exc:
            results.append(exc.code)

    threads = [threading.Thread(target=complete, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1, results
    assert set(results) - {"ok"} <= {"task_already_completed", "stale_instance"}
    assert audit_kinds(product, started.instance_id).count("complete") == 1
    assert len(mini.flaky.calls) == 1


def test_lanes_and_claims_are_enforced(product, mini):
    started = mini.runner.start("mini", COUNTER)
    with product.session_factory() as session:  # the clerk starting the case keeps its first task of their lane
        assert session.get(HumanTask, started.next_task_id).claimed_by == "madoguchi"
    with pytest.raises(LaneForbidden):
        mini.runner.complete(started.next_task_id, BACK, {"amount": 1})
    with pytest.raises(LaneForbidden):
        mini.runner.claim(started.next_task_id, Actor("auditor", "auditor"))
    assert mini.runner.claim(started.next_task_id, COUNTER) is False  # already theirs: no change, no event
    with pytest.raises(TaskClaimedByOther):
        mini.runner.complete(started.next_task_id, COUNTER_2, {"amount": 1})
    with pytest.raises(TaskClaimedByOther):
        mini.runner.claim(started.next_task_id, COUNTER_2)
    with pytest.raises(TaskClaimedByOther):
        mini.runner.unclaim(started.next_task_id, COUNTER_2)
    mini.runner.unclaim(started.next_task_id, COUNTER)
    # completing an unclaimed task claims it in the same unit of work: never completed by nobody's claim
    mini.runner.complete(started.next_task_id, COUNTER_2, {"amount": 1})
    assert audit_kinds(product, started.instance_id)[:4] == ["start", "unclaim", "claim", "complete"]


def test_a_clerk_keeps_the_case_in_their_lane_and_can_hand_it_over(product):
    """One claim model: the next task of the same case in the same lane is the same clerk's, without claiming;
    another clerk of the lane takes it over explicitly (audited with whom it was taken from)."""
    from engine.library.catalog import deploy
    from engine.library.definitions import parse_definition, read_definition_files
    from tests.engine.conftest import DATA

    xml, forms = read_definition_files(DATA / "loop.bpmn")
    with product.session_factory.begin() as session:
        deploy(session, parse_definition(xml, forms, product.handlers), actor="test", source="loop.bpmn")
    started = product.runner.start("loop", COUNTER)
    product.runner.unclaim(started.next_task_id, COUNTER)
    entered = product.runner.complete(started.next_task_id, COUNTER_2, {"amount": 0})
    assert entered.next_task_id is not None  # 確認 comes up as madoguchi2's: 完了して次へ goes straight to it
    with product.session_factory() as session:
        assert session.get(HumanTask, entered.next_task_id).claimed_by == "madoguchi2"
    assert [(s.lane, s.title, s.claimed_by) for s in entered.next_steps] == [("窓口", "確認", "madoguchi2")]
    with pytest.raises(TaskClaimedByOther):
        product.runner.complete(entered.next_task_id, COUNTER, {"ok": True})
    assert product.runner.claim(entered.next_task_id, COUNTER, take_over=True) is True
    done = product.runner.complete(entered.next_task_id, COUNTER, {"ok": True})
    assert done.status == "completed" and done.next_steps == [] and done.next_task_id is None
    with product.session_factory() as session:
        taken = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == started.instance_id,
                                                         AuditEvent.kind == "claim")).all()
        assert [(e.actor, summary_of(e).get("taken_from")) for e in taken] == [
            ("madoguchi2", None), ("madoguchi", "madoguchi2")]



def test_failing_handler_makes_an_incident_with_the_real_exception_and_retry_continues(product, mini):
    mini.flaky.failures_left = 1
    started = mini.runner.start("mini", COUNTER)
    outcome = mini.runner.complete(started.next_task_id, COUNTER, {"amount": 4})
    assert outcome.status == "error" and outcome.incident_id
    with product.session_factory() as session:
        incident = session.get(Incident, outcome.incident_id)
        assert incident.error_type == "ZeroDivisionError"
        assert incident.message == "外部システムが応答しません (simulated)"
        assert incident.operator_id == "test.flaky" and incident.spec_name == "svc_flaky"
        assert "ZeroDivisionError" in incident.traceback
        open_rows = session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.instance_id == started.instance_id, HumanTask.is_open.is_(True)))
        assert open_rows == 0  # the user task stays completed: the clerk's work is not lost
    retried = mini.runner.retry(outcome.incident_id, Actor("admin", "admin"))
    assert retried.status == "running"
    assert open_task(product, started.instance_id).spec_name == "task_check"
    with product.session_factory() as session:
        detail = instance_detail(session, product.specs, started.instance_id)
        assert detail.data["flaky"] == {"doubled": 8}
        assert session.get(Incident, outcome.incident_id).resolved_by == "admin"
    assert audit_kinds(product, started.instance_id) == ["start", "complete", "error", "retry", "service_call"]


def test_failing_handler_rolls_back_its_own_writes(product, mini):
    from registry.blobs.store import put_blob

    def writes_then_fails(ctx, amount):
        put_blob(ctx.session, b"half-written %d" % amount, "text/plain")
        raise RuntimeError("after writing")

    mini.handlers._handlers["test.flaky"] = mini.handlers.get("test.flaky").__class__(
        "test.flaky", "test", "t", writes_then_fails, mini.handlers.get("test.flaky").parameters)
    started = mini.runner.start("mini", COUNTER)
    outcome = mini.runner.complete(started.next_task_id, COUNTER, {"amount": 987})
    assert outcome.status == "error"
    from registry.blobs.models import Blob

    with product.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Blob).where(Blob.size == len(b"half-written 987"))) == 0
