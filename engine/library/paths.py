"""The path an instance took: which sequence flows of its diagram were followed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.library.definitions import BPMN_NS
from engine.library.expressions import ExpressionError, evaluate_condition


@dataclass(frozen=True)
class SequenceFlow:
    flow_id: str
    source: str
    target: str
    condition: str | None


@dataclass
class PrunedPath:
    """The sequence flows and elements that removed history had taken and completed."""

    flows: set[str] = field(default_factory=set)
    elements: set[str] = field(default_factory=set)
    tasks_removed: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"flows": sorted(self.flows), "elements": sorted(self.elements), "tasks_removed": self.tasks_removed}

    @classmethod
    def from_json(cls, value: Any) -> PrunedPath:
        if not isinstance(value, dict):
            return cls()
        return cls(set(value.get("flows", [])), set(value.get("elements", [])), int(value.get("tasks_removed", 0)))

    def merge(self, other: PrunedPath) -> None:
        self.flows |= other.flows
        self.elements |= other.elements
        self.tasks_removed += other.tasks_removed


def pruned_path_of(workflow: BpmnWorkflow) -> PrunedPath:
    """What history pruning removed from this workflow's tree (engine.runtime.pruning), kept beside its state."""
    return getattr(workflow, "pruned_path", None) or PrunedPath()


def sequence_flows(bpmn_xml: str) -> list[SequenceFlow]:
    """Every sequence flow of the document, in document order."""
    root = etree.fromstring(bpmn_xml.encode("utf-8"))
    flows = []
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
        text = (condition.text or "").strip() if condition is not None else None
        flows.append(SequenceFlow(flow.get("id"), flow.get("sourceRef"), flow.get("targetRef"), text or None))
    return flows


def taken_flows(workflow: BpmnWorkflow, flows: list[SequenceFlow], among: Iterable | None = None) -> set[str]:
    """Flows between completed tasks; where several flows join the same two elements, the condition decides.

    By default over the whole workflow, with what pruning removed; `among` limits it to those tasks (each with the
    flow that led into it).
    """
    by_pair: dict[tuple[str | None, str | None], list[SequenceFlow]] = {}
    for flow in flows:
        by_pair.setdefault((flow.source, flow.target), []).append(flow)
    taken = set(pruned_path_of(workflow).flows) if among is None else set()
    tasks = among if among is not None else workflow.get_tasks(
        state=TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.ERROR | TaskState.STARTED)
    for task in tasks:
        if not task.has_state(TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.ERROR
                              | TaskState.STARTED):
            continue
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
