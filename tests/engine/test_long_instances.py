"""Long instances (issue 13, point 10): a loop goes round as often as it must and ends at its end event, the stored
state stays small, the diagram still shows every flow the instance took, and an instance that stops without an
end event is an incident, never "completed"."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine.actor import Actor
from engine.library.catalog import deploy
from engine.library.definitions import parse_definition, read_definition_files
from engine.models import Incident, ProcessInstance
from engine.runtime.pruning import KEEP, PRUNE_AT
from engine.runtime.queries import instance_detail, open_tasks_of_instance
from tests.engine.conftest import DATA

CLERK = Actor("madoguchi", "madoguchi")


@pytest.fixture
def loop(product):
    xml, forms = read_definition_files(DATA / "loop.bpmn")
    with product.session_factory.begin() as session:
        deploy(session, parse_definition(xml, forms, product.handlers), actor="test", source="loop.bpmn")
    return product


def _go_round(product, outcome, times: int, *, last: bool):
    for number in range(times):
        again = not (last and number == times - 1)
        outcome = product.runner.complete(outcome.next_task_id, CLERK, {"amount": 1 if again else 0})
        outcome = product.runner.complete(outcome.next_task_id, CLERK, {"ok": True})
    return outcome


def _state(product, instance_id: int) -> dict:
    with product.session_factory() as session:
        return json.loads(session.get(ProcessInstance, instance_id).state)


@pytest.mark.slow
def test_a_loop_goes_round_260_times_and_ends_at_its_end_event(loop):
    product = loop
    outcome = product.runner.start("loop", CLERK, {})
    outcome = _go_round(product, outcome, 130, last=False)
    half_way = len(_state(product, outcome.instance_id)["tasks"])
    outcome = _go_round(product, outcome, 130, last=True)  # past the 250 passes where SpiffWorkflow lost its way
    with product.session_factory() as session:
        instance = session.get(ProcessInstance, outcome.instance_id)
        assert (instance.status, instance.end_event) == ("completed", "end_loop")
        detail = instance_detail(session, product.specs, instance.id)
    assert half_way <= 4 * (PRUNE_AT + KEEP)  # the tree stays bounded: pruned as it went round
    assert {"f_start", "f_enter", "f_check", "f_decide", "f_again", "f_done"} <= set(detail.taken_flows)
    assert {"start_loop", "task_enter", "task_check", "gw_again", "end_loop"} <= set(detail.completed_ids)
    assert _state(product, instance.id)["inkan_pruned_path"]["tasks_removed"] > 500


def test_a_short_instance_is_never_pruned(loop):
    product = loop
    outcome = _go_round(product, product.runner.start("loop", CLERK, {}), 5, last=False)
    assert "inkan_pruned_path" not in _state(product, outcome.instance_id)
    with product.session_factory() as session:
        assert [t.spec_name for t in open_tasks_of_instance(session, outcome.instance_id)] == ["task_enter"]


def test_an_instance_that_stops_without_an_end_event_is_an_incident(product, tmp_path):
    xml, forms = read_definition_files(DATA / "loop.bpmn")
    dead_end = xml.replace('<bpmn:endEvent id="end_loop"><bpmn:incoming>f_done</bpmn:incoming></bpmn:endEvent>', "")\
        .replace('<bpmn:sequenceFlow id="f_done" sourceRef="gw_again" targetRef="end_loop">', "<!--")\
        .replace("<bpmn:conditionExpression>amount == 0</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>", "-->")\
        .replace("<bpmn:flowNodeRef>end_loop</bpmn:flowNodeRef>", "")\
        .replace("<bpmn:outgoing>f_done</bpmn:outgoing>", "")\
        .replace('id="loop" name="テスト用の繰り返し"', 'id="dead_end" name="終了イベントのない流れ"')
    with product.session_factory.begin() as session:
        deploy(session, parse_definition(dead_end, forms, product.handlers), actor="test", source="dead_end")
    outcome = product.runner.start("dead_end", CLERK, {})
    outcome = product.runner.complete(outcome.next_task_id, CLERK, {"amount": 0})  # no flow matches: the gateway
    outcome = product.runner.complete(outcome.next_task_id, CLERK, {"ok": True})
    with product.session_factory() as session:
        instance = session.get(ProcessInstance, outcome.instance_id)
        incidents = session.scalars(select(Incident).where(Incident.instance_id == instance.id)).all()
    assert instance.status == "error" and instance.end_event is None
    assert incidents and incidents[-1].message
