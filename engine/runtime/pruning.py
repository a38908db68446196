"""Keep long instances cheap: finished history above the running part of the task tree is cut off before saving.

SpiffWorkflow adds a new level to the task tree each time a loop goes round. Unpruned, the stored state grows with
every pass (6 KB at the start, 314 KB after 200 passes of a two-task loop), every save rewrites it, and past a
depth of 1,000 SpiffWorkflow's task iterator stops descending, so the instance looks completed without reaching an
end event. Here, once the deepest task shared by everything still running (the common ancestor of the unfinished
tasks) is PRUNE_AT levels deep, every finished task that is not below the level KEEP levels above it is removed,
and the kept part hangs from the root. What the removed part did stays known: its taken sequence flows and
completed elements are kept beside the state (`PrunedPath`), and every step is in the audit and the timeline.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.library.paths import PrunedPath, SequenceFlow, pruned_path_of, taken_flows

__all__ = ["KEEP", "PRUNE_AT", "PrunedPath", "prune_finished_history"]

PRUNE_AT = 48  # depth of the running part's common ancestor that triggers a cut
KEEP = 16  # levels of finished history kept above the running part


def prune_finished_history(workflow: BpmnWorkflow, flows: list[SequenceFlow]) -> PrunedPath | None:
    """Cut finished history off a deep task tree (see the module's docstring) and add what it had taken to the
    workflow's pruned path; return what this cut removed, or None when nothing was cut. `flows`: the diagram's
    sequence flows (engine.library.paths.sequence_flows, kept with the definition's cached spec)."""
    root = workflow.task_tree
    running = [t for t in workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if not running:
        return None
    shared = _common_ancestry(root, running)
    if len(shared) - 1 < PRUNE_AT:
        return None
    cut = shared[len(shared) - 1 - KEEP]
    kept = {task.id for task in _subtree(cut)} | {root.id}
    removed = [task for task in workflow.tasks.values() if task.id not in kept]
    if any(not task.has_state(TaskState.FINISHED_MASK) for task in removed):
        return None  # never happens (everything running is below the cut); refuse rather than lose a task
    pruned = PrunedPath(taken_flows(workflow, flows, among=[*removed, cut]),
                        {t.task_spec.bpmn_id for t in removed
                         if t.state == TaskState.COMPLETED and getattr(t.task_spec, "bpmn_id", None)},
                        len(removed))
    for task in removed:
        del workflow.tasks[task.id]
        workflow.subprocesses.pop(task.id, None)
    root._children, cut._parent = [cut.id], root.id
    if workflow.last_task is not None and workflow.last_task.id not in kept:
        workflow.last_task = None
    path = pruned_path_of(workflow)
    path.merge(pruned)
    workflow.pruned_path = path
    return pruned


def _common_ancestry(root, tasks) -> list:
    """The path from the root to the deepest task that is an ancestor (or self) of every task given."""
    shared: list | None = None
    for task in tasks:
        path = _path_from_root(task)
        if shared is None:
            shared = path
            continue
        length = 0
        while length < min(len(shared), len(path)) and shared[length].id == path[length].id:
            length += 1
        shared = shared[:length]
    return shared or [root]


def _path_from_root(task) -> list:
    path = []
    while task is not None:
        path.append(task)
        task = task.parent
    return path[::-1]


def _subtree(task):
    stack = [task]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)
