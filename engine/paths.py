"""The path an instance took: which sequence flows of its diagram were followed."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.definitions import BPMN_NS
from engine.expressions import ExpressionError, evaluate_condition


@dataclass(frozen=True)
class SequenceFlow:
    flow_id: str
    source: str
    target: str
    condition: str | None


def sequence_flows(bpmn_xml: str) -> list[SequenceFlow]:
    """Every sequence flow of the document, in document order."""
    root = etree.fromstring(bpmn_xml.encode("utf-8"))
    flows = []
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
        text = (condition.text or "").strip() if condition is not None else None
        flows.append(SequenceFlow(flow.get("id"), flow.get("sourceRef"), flow.get("targetRef"), text or None))
    return flows


def taken_flows(workflow: BpmnWorkflow, flows: list[SequenceFlow]) -> set[str]:
    """Flows between completed tasks; where several flows join the same two elements, the condition decides."""
    by_pair: dict[tuple[str, str], list[SequenceFlow]] = {}
    for flow in flows:
        by_pair.setdefault((flow.source, flow.target), []).append(flow)
    taken = set()
    for task in workflow.get_tasks(state=TaskState.COMPLETED | TaskState.READY | TaskState.WAITING
                                   | TaskState.ERROR | TaskState.STARTED):
        parent = task.parent
        while parent is not None and parent.parent is not None and getattr(parent.task_spec, "bpmn_id", None) is None:
            parent = parent.parent  # a boundary event's split sits between the element and its predecessor
        if parent is None:
            continue
        source, target = getattr(parent.task_spec, "bpmn_id", None), getattr(task.task_spec, "bpmn_id", None)
        candidates = by_pair.get((source, target), [])
        if len(candidates) == 1:
            taken.add(candidates[0].flow_id)
        elif candidates:
            chosen = next((f for f in candidates if f.condition and _holds(f.condition, parent.data)),
                          None)
            if chosen is not None:
                taken.add(chosen.flow_id)
    return taken


def _holds(condition: str, data: dict) -> bool:
    try:
        return evaluate_condition(condition, data)
    except ExpressionError:  # a condition that cannot be evaluated was not the one taken
        return False
