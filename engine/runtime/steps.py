"""What an auditor needs beyond the instance's picture: each element's lane, and the task data at every step.

SpiffWorkflow keeps the data of each completed task as it was when the task completed; instance_detail collects
it for the human tasks while it restores the state, and `step_data` pairs it with the inbox rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree

from engine.models import HumanTask, ProcessDefinition
from engine.runtime.queries import InstanceDetail

__all__ = ["StepData", "element_lanes", "step_data"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass
class StepData:
    """The data a human task held when it completed."""

    task: HumanTask
    data: dict[str, Any]


def element_lanes(definition: ProcessDefinition) -> dict[str, str]:
    """BPMN element id → the name of the lane it is drawn in (service tasks and events too)."""
    return dict(_lanes_of(definition.content_hash, definition.bpmn_xml))


@lru_cache(maxsize=64)  # a version's XML never changes: its hash is the version
def _lanes_of(_content_hash: str, xml: str) -> tuple[tuple[str, str], ...]:
    root = etree.fromstring(xml.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    lanes = []
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.iter(f"{{{BPMN_NS}}}flowNodeRef"):
            if ref.text:
                lanes.append((ref.text.strip(), lane.get("name") or ""))
    return tuple(lanes)


def step_data(detail: InstanceDetail) -> dict[int, StepData]:
    """HumanTask id → the data its SpiffWorkflow task held at completion (completed tasks only)."""
    return {row.id: StepData(row, detail.step_data[row.task_guid]) for row in detail.tasks
            if row.task_guid in detail.step_data}
