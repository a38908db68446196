"""A migrated instance's timers follow the new version (or the manager keeps them), audited: 4.1.4 waits for the
回答書 until `inquiry.deadline_at`; a new version moves the deadline a week later. An instance waiting under the
old version moves with its due time computed again from the new definition (timer row, state and an audit event
with the old and new due times), or keeps its due time when the manager chooses so."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.actor import Actor
from engine.library import catalog, drafts
from engine.library.definitions import parse_definition, read_definition_files
from engine.library.migration import MigrationRefused, migrate_instances, plan_migration
from engine.models import AuditEvent, Timer
from tests.support.inquiry_flow import InquiryDriver
from tests.support.library import BPMN

MANAGER = Actor("manager", "manager", "管理者")
SHIPPED_TIMER = "<bpmn:timeDate>inquiry.deadline_at</bpmn:timeDate>"
WEEK_LATER = "<bpmn:timeDate>string(timestamp(inquiry.deadline_at) + duration('168h'))</bpmn:timeDate>"


@pytest.fixture
def versions(product):
    """(shipped, a week later) versions of 4.1.4; the shipped one is active again afterwards."""
    with product.session_factory() as session:
        shipped = catalog.active_definition(session, "shoukai_touroku")
    yield shipped, _deploy_week_later
    with product.session_factory.begin() as session:
        drafts.activate_version(session, catalog.get_definition(session, shipped.id), MANAGER)


def _deploy_week_later(product):
    xml, forms = read_definition_files(BPMN / "shoukai_touroku.bpmn")
    assert SHIPPED_TIMER in xml
    with product.session_factory.begin() as session:
        result = catalog.deploy(session, parse_definition(xml.replace(SHIPPED_TIMER, WEEK_LATER), forms,
                                                          product.handlers),
                                actor="manager", source="test", note="回答期限を1週間延長")
        return catalog.get_definition(session, result.definition_id)


def due_of(product, instance_id: int) -> datetime:
    with product.session_factory() as session:
        return session.scalars(select(Timer.due_at).where(Timer.instance_id == instance_id,
                                                          Timer.fired_at.is_(None))).one()


def rescheduled(product, instance_id: int) -> list[dict]:
    with product.session_factory() as session:
        return [json.loads(e.summary_json) for e in session.scalars(select(AuditEvent).where(
            AuditEvent.instance_id == instance_id, AuditEvent.kind == "timer_rescheduled"))]


def test_timers_follow_the_new_version_or_keep_their_due_time(product, versions):
    shipped, deploy_week_later = versions
    following, keeping = InquiryDriver(product).to_answer(), InquiryDriver(product).to_answer()
    due = {p.instance_id: due_of(product, p.instance_id) for p in (following, keeping)}
    deadline = datetime.fromisoformat(InquiryDriver(product).data(following.instance_id)["inquiry"]["deadline_at"])
    assert due[following.instance_id] == deadline.astimezone(UTC).replace(tzinfo=None)
    week_later = deploy_week_later(product)

    with product.session_factory() as session:
        plan = {r.instance_id: r for r in plan_migration(session, product.specs, shipped, week_later)}
    change = plan[following.instance_id].timer_changes[0]
    assert (change.element_id, change.name) == ("timer_deadline", "回答期限の経過")
    assert (change.old_due, change.new_due) == (due[following.instance_id], due[following.instance_id] + timedelta(days=7))

    with product.session_factory.begin() as session:
        migrate_instances(session, product.specs, shipped, week_later, MANAGER, [following.instance_id])
    assert due_of(product, following.instance_id) == due[following.instance_id] + timedelta(days=7)
    [event] = rescheduled(product, following.instance_id)
    assert event["old_due"] == due[following.instance_id].replace(tzinfo=UTC).isoformat()
    assert event["new_due"] == (due[following.instance_id] + timedelta(days=7)).replace(tzinfo=UTC).isoformat()

    with product.session_factory.begin() as session:
        migrate_instances(session, product.specs, shipped, week_later, MANAGER, [keeping.instance_id], timers="keep")
    assert due_of(product, keeping.instance_id) == due[keeping.instance_id]
    assert rescheduled(product, keeping.instance_id) == []

    # the rescheduled timer fires at its new time, not at the old one
    product.runner.fire_due_timers(now=due[following.instance_id] + timedelta(days=1), limit=1000)
    assert InquiryDriver(product).open_spec_names(following.instance_id) == ["task_answer"]
    product.runner.fire_due_timers(now=due[following.instance_id] + timedelta(days=8), limit=1000)
    assert InquiryDriver(product).open_spec_names(following.instance_id) != ["task_answer"]


def test_an_unknown_timer_choice_is_refused(product, versions):
    shipped, deploy_week_later = versions
    week_later = deploy_week_later(product)
    with product.session_factory.begin() as session, pytest.raises(MigrationRefused, match="タイマーの扱い"):
        migrate_instances(session, product.specs, shipped, week_later, MANAGER, [], timers="later")


def test_a_duration_timer_counts_from_when_it_started_waiting(product, versions):
    """30 days → 45 days: the due time moves by exactly the difference (the start is the old due less 30 days)."""
    shipped, _ = versions
    durations = {}
    for days in (30, 45):
        xml, forms = read_definition_files(BPMN / "shoukai_touroku.bpmn")
        xml = xml.replace(SHIPPED_TIMER, f"<bpmn:timeDuration>'P{days}D'</bpmn:timeDuration>")
        with product.session_factory.begin() as session:
            result = catalog.deploy(session, parse_definition(xml, forms, product.handlers), actor="manager",
                                    source="test", note=f"回答期限 {days}日")
            durations[days] = catalog.get_definition(session, result.definition_id)
        if days == 30:  # an instance waits on the 30-day version
            pending = InquiryDriver(product).to_answer()
            due = due_of(product, pending.instance_id)
    with product.session_factory.begin() as session:
        [row] = migrate_instances(session, product.specs, durations[30], durations[45], MANAGER,
                                  [pending.instance_id])
    assert row.timer_changes[0].new_due == due + timedelta(days=15)
    assert due_of(product, pending.instance_id) == due + timedelta(days=15)
    assert len(rescheduled(product, pending.instance_id)) == 1


def test_the_diff_names_the_timer_change_on_its_event():
    from engine.library.version_diff import diff_versions

    xml, forms = read_definition_files(BPMN / "shoukai_touroku.bpmn")
    [change] = diff_versions(xml, forms, xml.replace(SHIPPED_TIMER, WEEK_LATER), forms).elements
    assert (change.element_id, change.name, change.type) == ("timer_deadline", "回答期限の経過", "boundaryEvent")
    assert change.details == ["タイマー: 「日時 inquiry.deadline_at」→「日時 string(timestamp(inquiry.deadline_at) + "
                              "duration('168h'))」"]
