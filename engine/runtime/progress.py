"""Where a case stands, read from its diagram: the steps done, the ones it is at now and the ones still ahead.

A step is a user, manual or service task. Done: the tasks the case completed (in the order it completed them,
history that pruning cut off first). Here: the tasks ready or waiting now. Ahead: every task still reachable from
here along the diagram's flows (nearest first), which may include the steps of a branch the case will not take —
the diagram cannot know yet which way a gateway goes.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.specs.defaults import ManualTask, ServiceTask, UserTask
from SpiffWorkflow.util.task import TaskState

from engine.library.paths import pruned_path_of

__all__ = ["DONE", "AHEAD", "HERE", "Step", "case_progress"]

DONE, HERE, AHEAD = "done", "here", "ahead"
MAX_AHEAD = 30  # a strip, not a map: beyond this the diagram on the case page tells the rest


@dataclass(frozen=True)
class Step:
    bpmn_id: str
    name: str
    lane: str
    automatic: bool  # a service task (no clerk)
    state: str  # done | here | ahead


def _is_step(spec) -> bool:
    return isinstance(spec, UserTask | ManualTask | ServiceTask) and bool(getattr(spec, "bpmn_id", None))


def _step(spec, state: str) -> Step:
    return Step(spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, getattr(spec, "lane", None) or "",
                isinstance(spec, ServiceTask), state)


def case_progress(workflow: BpmnWorkflow) -> list[Step]:
    """The case's steps: done (in order), here, then ahead (reachable, nearest first), each step once."""
    specs = workflow.spec.task_specs
    completed = sorted((t for t in workflow.get_tasks(state=TaskState.COMPLETED) if _is_step(t.task_spec)),
                       key=lambda t: t.last_state_change)
    active = [t for t in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED
                                            | TaskState.ERROR) if _is_step(t.task_spec)]
    here_ids = {t.task_spec.bpmn_id for t in active}
    steps: list[Step] = []
    seen: set[str] = set(here_ids)
    pruned = sorted(pruned_path_of(workflow).elements)
    for spec in [specs[name] for name in pruned if name in specs and _is_step(specs[name])] + \
            [t.task_spec for t in completed]:
        if spec.bpmn_id not in seen:
            seen.add(spec.bpmn_id)
            steps.append(_step(spec, DONE))
    here: list[Step] = []
    for task in active:
        if task.task_spec.bpmn_id not in {s.bpmn_id for s in here}:
            here.append(_step(task.task_spec, HERE))
    steps.extend(here)
    running = workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR)
    steps.extend(_ahead(workflow, [t.task_spec for t in running], seen))
    return steps


def _ahead(workflow: BpmnWorkflow, starts: list, seen: set[str]) -> list[Step]:
    """Tasks reachable from the unfinished ones (breadth first, so nearest first), not already shown."""
    if workflow.is_completed():
        return []
    queue = deque(starts)
    visited = {id(spec) for spec in starts}
    ahead: list[Step] = []
    while queue and len(ahead) < MAX_AHEAD:
        spec = queue.popleft()
        for following in getattr(spec, "outputs", []):
            if id(following) in visited:
                continue
            visited.add(id(following))
            queue.append(following)
            if _is_step(following) and following.bpmn_id not in seen:
                seen.add(following.bpmn_id)
                ahead.append(_step(following, AHEAD))
    return ahead
