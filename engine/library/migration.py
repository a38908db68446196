"""Move waiting instances of one version of a process to another; a dry run says which can move and why not.

An instance can move when every task of its workflow (done, current or waiting) names an element the target version
still has: SpiffWorkflow's spec diff aligns them by id and the state is rewritten onto the target spec, keeping the
data, the task ids (so inbox rows stay) and the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.errors import DefinitionNotFound, EngineError
from engine.evidence import audit
from engine.library.catalog import SERIALIZER, SpecCache, active_definition, dump_workflow, restore_workflow
from engine.library.definitions import form_file_of
from engine.models import HumanTask, InstanceStatus, ProcessDefinition, ProcessInstance

__all__ = ["MigrationCandidate", "MigrationRefused", "migrate_instances", "move_to_active_version", "plan_migration"]

MOVABLE_STATUSES = (InstanceStatus.RUNNING, InstanceStatus.WAITING)
CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED


class MigrationRefused(EngineError):
    code = "migration_refused"
    http_status = 409


@dataclass
class MigrationCandidate:
    instance_id: int
    subject_name: str | None
    status: str
    current_tasks: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def can_move(self) -> bool:
        return not self.reasons


def plan_migration(session: Session, specs: SpecCache, source: ProcessDefinition,
                   target: ProcessDefinition) -> list[MigrationCandidate]:
    """Dry run: every running or waiting instance of `source`, with the reasons it cannot move to `target`."""
    _check_pair(source, target)
    return [_examine(specs, source, target, instance)[0] for instance in _waiting_instances(session, source)]


def migrate_instances(session: Session, specs: SpecCache, source: ProcessDefinition, target: ProcessDefinition,
                      actor: Actor, instance_ids: list[int] | None = None) -> list[MigrationCandidate]:
    """Move every movable instance (or only `instance_ids`) to `target`; return the dry-run rows, moved or not."""
    _check_pair(source, target)
    rows = []
    for instance in _waiting_instances(session, source):
        if instance_ids is not None and instance.id not in instance_ids:
            continue
        candidate, workflow, diffs = _examine(specs, source, target, instance)
        rows.append(candidate)
        if candidate.can_move:
            _move(session, specs, target, instance, workflow, diffs)
            audit.record(session, actor, "migrate", instance_id=instance.id, title=target.name,
                         summary={"process_id": target.process_id, "from": source.content_hash[:12],
                                  "to": target.content_hash[:12], "current_tasks": candidate.current_tasks})
    session.flush()
    return rows


def move_to_active_version(session: Session, specs: SpecCache, instance: ProcessInstance, actor: Actor) -> bool:
    """Move one instance (whatever its status) onto its process's active version when it runs an older one and
    every task it has is still there; True when it moved (an audit event `migrate` says from which version).

    Used by a retry the operator asked to run on the active version (the fix of a flow is a new version); a plain
    retry leaves the instance on its own version.
    """
    source = session.get(ProcessDefinition, instance.definition_id)
    try:
        target = active_definition(session, instance.process_id)
    except DefinitionNotFound:
        return False
    if target.id == source.id:
        return False
    candidate, workflow, diffs = _examine(specs, source, target, instance)
    if not candidate.can_move:
        return False
    _move(session, specs, target, instance, workflow, diffs)
    audit.record(session, actor, "migrate", instance_id=instance.id, title=target.name,
                 summary={"process_id": target.process_id, "from": source.content_hash[:12],
                          "to": target.content_hash[:12], "current_tasks": candidate.current_tasks,
                          "on": "retry"})
    return True


def _check_pair(source: ProcessDefinition, target: ProcessDefinition) -> None:
    if source.process_id != target.process_id:
        raise MigrationRefused("別の業務フローの版へは移行できません")
    if source.id == target.id:
        raise MigrationRefused("移行元と移行先が同じ版です")


def _waiting_instances(session: Session, source: ProcessDefinition) -> list[ProcessInstance]:
    return list(session.scalars(select(ProcessInstance).where(
        ProcessInstance.definition_id == source.id, ProcessInstance.status.in_(MOVABLE_STATUSES))
        .order_by(ProcessInstance.id)))


def _examine(specs: SpecCache, source: ProcessDefinition, target: ProcessDefinition, instance: ProcessInstance):
    workflow = restore_workflow(specs, source, instance.state)
    entry = specs.get(target)
    top_diff, sub_diffs = diff_workflow(SERIALIZER.registry, workflow, entry.spec, entry.subprocess_specs)
    candidate = MigrationCandidate(instance.id, instance.subject_name, instance.status)
    candidate.current_tasks = sorted({t.task_spec.bpmn_id for t in workflow.get_tasks(state=CURRENT)
                                      if getattr(t.task_spec, "bpmn_id", None)})
    reasons = [_removed_reason(task) for task in _unmatched(top_diff)]
    for sp_id, sub_diff in sub_diffs.items():
        if sub_diff is None:
            reasons.append(f"サブプロセス {workflow.subprocesses[sp_id].spec.name} が新しい版にありません")
        else:
            reasons.extend(_removed_reason(task) for task in _unmatched(sub_diff))
    candidate.reasons = list(dict.fromkeys(reasons))
    return candidate, workflow, (top_diff, sub_diffs)


def _unmatched(diff) -> list:
    """Tasks whose element id is not in the target version. SpiffWorkflow would also align a renamed element by
    its neighbours; a clerk's task must not silently become another element with another form, so we do not."""
    renamed = [task for task, spec in diff.alignment.items() if spec is not None and spec.name != task.task_spec.name]
    return [*diff.removed, *renamed]


def _removed_reason(task) -> str:
    name = getattr(task.task_spec, "bpmn_name", None) or task.task_spec.name
    if task.state & CURRENT:
        return f"現在の作業「{name}」が新しい版にありません"
    return f"通過済みの要素「{name}」が新しい版にありません（履歴を保てません）"


def _move(session: Session, specs: SpecCache, target: ProcessDefinition, instance: ProcessInstance, workflow,
          diffs) -> None:
    top_diff, sub_diffs = diffs
    entry = specs.get(target)
    migrate_workflow(top_diff, workflow, entry.spec)
    for sp_id, sub_diff in sub_diffs.items():
        subprocess = workflow.subprocesses[sp_id]
        migrate_workflow(sub_diff, subprocess, entry.subprocess_specs[subprocess.spec.name])
    instance.state = dump_workflow(workflow)
    instance.definition_id = target.id
    _refresh_inbox_rows(session, instance.id, workflow)


def _refresh_inbox_rows(session: Session, instance_id: int, workflow) -> None:
    """Open inbox rows keep their task ids; their title, lane and form now come from the target version."""
    ready = {str(t.id): t.task_spec for t in workflow.get_tasks(state=TaskState.READY)}
    for row in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                       HumanTask.is_open.is_(True))):
        spec = ready.get(row.task_guid)
        if spec is None:
            row.is_open = False
            continue
        row.title, row.lane, row.form_file = spec.bpmn_name or spec.bpmn_id, spec.lane or row.lane, form_file_of(spec)
