"""Four-eyes approval (二者確認): a user task marked approvalOf=<request task> is refused to the request's clerk."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.actor import Actor
from engine.errors import DefinitionError, FourEyesRequired
from engine.library.catalog import SpecCache, deploy
from engine.library.definitions import parse_definition, read_definition_files
from engine.models import AuditEvent, HumanTask
from engine.runtime.queries import open_tasks_of_instance
from engine.runtime.runner import WorkflowRunner
from handlers import ServiceContext
from tests.engine.conftest import DATA, Flaky, mini_handlers

MANAGER = Actor("manager", "manager")  # works both lanes, so only the four-eyes rule can stop them
MANAGER_2 = Actor("manager2", "manager")
APPROVAL = '''<spiffworkflow:property name="formJsonSchemaFilename" value="mini.check.json" />
        <spiffworkflow:property name="approvalOf" value="{target}" />'''


def approval_definition(target: str = "task_enter") -> tuple[str, dict]:
    xml, forms = read_definition_files(DATA / "mini.bpmn")
    xml = xml.replace('process id="mini"', 'process id="mini_approval"').replace('processRef="mini"',
                                                                              'processRef="mini_approval"')
    xml = xml.replace('<spiffworkflow:property name="formJsonSchemaFilename" value="mini.check.json" />',
                      APPROVAL.format(target=target))
    return xml, forms


@pytest.fixture
def approval_runner(product) -> WorkflowRunner:
    handlers = mini_handlers(Flaky())
    xml, forms = approval_definition()
    with product.session_factory.begin() as session:
        deploy(session, parse_definition(xml, forms, handlers, source="approval.bpmn"), actor="test",
               source="approval.bpmn")
    return WorkflowRunner(product.session_factory, handlers, SpecCache(),
                          lambda **kw: ServiceContext(services=product.services, **kw))


def test_the_requesting_clerk_cannot_claim_or_approve_but_a_second_clerk_can(product, approval_runner):
    started = approval_runner.start("mini_approval", MANAGER)
    approval_runner.complete(started.next_task_id, MANAGER, {"amount": 5})
    with product.session_factory() as session:
        approval = open_tasks_of_instance(session, started.instance_id)[0]
    assert approval.spec_name == "task_check"

    with pytest.raises(FourEyesRequired, match="別の職員"):
        approval_runner.claim(approval.id, MANAGER)
    with pytest.raises(FourEyesRequired):
        approval_runner.complete(approval.id, MANAGER, {"ok": True})
    with product.session_factory() as session:
        row = session.get(HumanTask, approval.id)
        assert row.is_open and row.claimed_by is None  # the refusals changed nothing

    outcome = approval_runner.complete(approval.id, MANAGER_2, {"ok": True})
    assert outcome.status == "completed"
    with product.session_factory() as session:
        completers = list(session.scalars(select(AuditEvent.actor).where(
            AuditEvent.instance_id == started.instance_id, AuditEvent.kind == "complete").order_by(AuditEvent.id)))
    assert completers == ["manager", "manager2"]


@pytest.mark.parametrize("target", ["task_check", "svc_flaky", "no_such_task"])
def test_an_approval_must_name_another_user_task_of_the_process(target):
    xml, forms = approval_definition(target)
    with pytest.raises(DefinitionError) as refused:
        parse_definition(xml, forms, mini_handlers(Flaky()), source="approval.bpmn")
    assert refused.value.element_id == "task_check" and "承認対象のタスク" in refused.value.message
