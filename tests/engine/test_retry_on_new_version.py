"""A retried incident stays on the version its instance started on, unless the operator asks to move it first onto
the version deployed since (when it can move there: engine.library.migration, audited)."""

from __future__ import annotations

from sqlalchemy import select

from engine.actor import Actor
from engine.library.catalog import deploy
from engine.library.definitions import parse_definition, read_definition_files
from engine.models import AuditEvent, ProcessInstance
from engine.runtime.queries import open_tasks_of_instance
from tests.engine.conftest import DATA

COUNTER = Actor("madoguchi", "madoguchi")
ADMIN = Actor("admin", "admin")


def deploy_mini(product, mini, xml: str, forms) -> int:
    with product.session_factory.begin() as session:
        return deploy(session, parse_definition(xml, forms, mini.handlers, source="mini.bpmn"), actor="test",
                      source="mini.bpmn").definition_id


def _failed_then_fixed(product, mini):
    """An instance whose service task failed, then a corrected version deployed: (started, failed, fixed id)."""
    xml, forms = read_definition_files(DATA / "mini.bpmn")
    mini.flaky.failures_left = 1
    started = mini.runner.start("mini", COUNTER)
    failed = mini.runner.complete(started.next_task_id, COUNTER, {"amount": 3})
    assert failed.status == "error"
    fixed = deploy_mini(product, mini, xml.replace('name="確認"', 'name="確認（修正版）"'), forms)
    return started, failed, fixed


def _restore_original(product, mini) -> None:
    xml, forms = read_definition_files(DATA / "mini.bpmn")
    deploy_mini(product, mini, xml, forms)  # the original is the active version again for other tests


def test_a_plain_retry_stays_on_the_instances_version(product, mini):
    started, failed, fixed = _failed_then_fixed(product, mini)
    try:
        retried = mini.runner.retry(failed.incident_id, ADMIN)
        assert retried.status == "running" and retried.incident_id is None
        with product.session_factory() as session:
            assert session.get(ProcessInstance, started.instance_id).definition_id != fixed
            assert [t.title for t in open_tasks_of_instance(session, started.instance_id)] == ["確認"]
            assert not session.scalars(select(AuditEvent).where(AuditEvent.instance_id == started.instance_id,
                                                                AuditEvent.kind == "migrate")).all()
    finally:
        _restore_original(product, mini)


def test_a_retry_asked_on_the_active_version_moves_the_instance_first(product, mini):
    started, failed, fixed = _failed_then_fixed(product, mini)
    try:
        retried = mini.runner.retry(failed.incident_id, ADMIN, on_active_version=True)
        assert retried.status == "running" and retried.incident_id is None
        with product.session_factory() as session:
            assert session.get(ProcessInstance, started.instance_id).definition_id == fixed
            assert [t.title for t in open_tasks_of_instance(session, started.instance_id)] == ["確認（修正版）"]
            moved = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == started.instance_id,
                                                             AuditEvent.kind == "migrate")).one()
            assert '"on": "retry"' in moved.summary_json
    finally:
        _restore_original(product, mini)
