"""A retried incident runs on the version deployed since, when the instance can move there (engine.migration)."""

from __future__ import annotations

from sqlalchemy import select

from engine.actor import Actor
from engine.catalog import deploy
from engine.definitions import parse_definition, read_definition_files
from engine.models import AuditEvent, ProcessInstance
from engine.queries import open_tasks_of_instance
from tests.engine.conftest import DATA

COUNTER = Actor("madoguchi", "madoguchi")
ADMIN = Actor("admin", "admin")


def deploy_mini(product, mini, xml: str, forms) -> int:
    with product.session_factory.begin() as session:
        return deploy(session, parse_definition(xml, forms, mini.handlers, source="mini.bpmn"), actor="test",
                      source="mini.bpmn").definition_id


def test_an_incident_retried_after_a_new_version_continues_on_that_version(product, mini):
    xml, forms = read_definition_files(DATA / "mini.bpmn")
    mini.flaky.failures_left = 1
    started = mini.runner.start("mini", COUNTER)
    failed = mini.runner.complete(started.next_task_id, COUNTER, {"amount": 3})
    assert failed.status == "error"
    fixed = deploy_mini(product, mini, xml.replace('name="確認"', 'name="確認（修正版）"'), forms)
    try:
        retried = mini.runner.retry(failed.incident_id, ADMIN)
        assert retried.status == "running" and retried.incident_id is None
        with product.session_factory() as session:
            assert session.get(ProcessInstance, started.instance_id).definition_id == fixed
            assert [t.title for t in open_tasks_of_instance(session, started.instance_id)] == ["確認（修正版）"]
            moved = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == started.instance_id,
                                                             AuditEvent.kind == "migrate")).one()
            assert '"on": "retry"' in moved.summary_json
    finally:
        deploy_mini(product, mini, xml, forms)  # the original is the active version again for other tests
