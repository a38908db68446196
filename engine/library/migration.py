"""Move waiting instances of one version of a process to another; a dry run says which can move and why not.

An instance can move when every task of its workflow (done, current or waiting) names an element the target version
still has: SpiffWorkflow's spec diff aligns them by id and the state is rewritten onto the target spec, keeping the
data, the task ids (so inbox rows stay) and the audit trail.

A waiting timer whose definition (date or duration expression) differs in the target version follows the target by
default: its due time is computed again from the new expression — a date over the instance's data, a duration from
when the timer started waiting — and an audit event `timer_rescheduled` keeps the old and new due times. With
timers="keep" the due time set under the old version stays (the dry run shows both, so the manager chooses).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.errors import DefinitionNotFound, EngineError
from engine.evidence import audit
from engine.library.catalog import SERIALIZER, SpecCache, active_definition, dump_workflow, restore_workflow
from engine.library.definitions import form_file_of
from engine.models import HumanTask, InstanceStatus, ProcessDefinition, ProcessInstance, Timer

__all__ = ["TIMER_CHOICES", "MigrationCandidate", "MigrationRefused", "TimerChange", "migrate_instances",
           "move_to_active_version", "plan_migration"]

MOVABLE_STATUSES = (InstanceStatus.RUNNING, InstanceStatus.WAITING)
TIMER_CHOICES = ("follow", "keep")  # a changed timer definition: recompute the due time, or keep the current one
CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED


class MigrationRefused(EngineError):
    code = "migration_refused"
    http_status = 409


@dataclass
class TimerChange:
    """A waiting timer whose definition differs in the target version: its due time now and under the target
    (naive UTC; `new_due` None when the new expression cannot be evaluated for this instance)."""

    element_id: str
    name: str
    old_due: datetime
    new_due: datetime | None
    problem: str = ""


@dataclass
class MigrationCandidate:
    instance_id: int
    subject_name: str | None
    status: str
    current_tasks: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    timer_changes: list[TimerChange] = field(default_factory=list)

    @property
    def can_move(self) -> bool:
        return not self.reasons


def plan_migration(session: Session, specs: SpecCache, source: ProcessDefinition,
                   target: ProcessDefinition) -> list[MigrationCandidate]:
    """Dry run: every running or waiting instance of `source`, with the reasons it cannot move to `target`."""
    _check_pair(source, target)
    return [_examine(specs, source, target, instance)[0] for instance in _waiting_instances(session, source)]


def migrate_instances(session: Session, specs: SpecCache, source: ProcessDefinition, target: ProcessDefinition,
                      actor: Actor, instance_ids: list[int] | None = None,
                      timers: str = "follow") -> list[MigrationCandidate]:
    """Move every movable instance (or only `instance_ids`) to `target`; return the dry-run rows, moved or not.
    `timers`: "follow" recomputes a waiting timer whose definition changed, "keep" leaves its due time."""
    _check_pair(source, target)
    if timers not in TIMER_CHOICES:
        raise MigrationRefused("タイマーの扱いは follow（新しい版に合わせる）か keep（いまの期限のまま）で指定してください")
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
                                  "to": target.content_hash[:12], "current_tasks": candidate.current_tasks,
                                  "timers": timers if candidate.timer_changes else None})
            if timers == "follow":
                _reschedule(session, actor, instance, workflow, candidate.timer_changes)
    session.flush()
    return rows


def move_to_active_version(session: Session, specs: SpecCache, instance: ProcessInstance, actor: Actor) -> bool:
    """Move one instance (whatever its status) onto its process's active version when it runs an older one and
    every task it has is still there; True when it moved (an audit event `migrate` says from which version).

    Used by a retry the operator asked to run on the active version (the fix of a flow is a new version); a plain
    retry leaves the instance on its own version.
    """
    source = session.get_one(ProcessDefinition, instance.definition_id)
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
                          "on": "retry", "timers": "follow" if candidate.timer_changes else None})
    _reschedule(session, actor, instance, workflow, candidate.timer_changes)  # the fixed version's timers, too
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
    if not candidate.reasons:
        candidate.timer_changes = _timer_changes(workflow, entry.spec, entry.subprocess_specs)
    return candidate, workflow, (top_diff, sub_diffs)


def _timer_changes(workflow, target_spec, target_subprocess_specs) -> list[TimerChange]:
    """The waiting timers whose definition in the target version differs, with their due time under each."""
    changes = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        old_event = getattr(task.task_spec, "event_definition", None)
        due = task._get_internal_data("event_value") if isinstance(old_event, TimerEventDefinition) else None
        if due is None:
            continue
        new_spec = _target_task_spec(task, target_spec, target_subprocess_specs)
        new_event = getattr(new_spec, "event_definition", None)
        if not isinstance(new_event, TimerEventDefinition) or (
                isinstance(old_event, TimerEventDefinition) and type(new_event) is type(old_event)
                and new_event.expression == old_event.expression):
            continue
        old_due = _naive_utc(TimerEventDefinition.get_datetime(due))
        name = getattr(new_spec, "bpmn_name", None) or task.task_spec.bpmn_id
        try:
            new_due = _due_under(task, old_event, old_due, new_event)
        except Exception as exc:  # noqa: BLE001 — an expression failing for this instance: its due time stays
            reason = getattr(exc, "message", None) or str(exc)
            changes.append(TimerChange(task.task_spec.bpmn_id, name, old_due, None,
                                       f"新しい版のタイマー式をこの事案で評価できないため、いまの期限のままです（{reason}）"))
            continue
        changes.append(TimerChange(task.task_spec.bpmn_id, name, old_due, new_due,
                                   "" if new_due else "繰り返しのタイマーは計算し直さず、いまの期限のままです"))
    return changes


def _target_task_spec(task, target_spec, target_subprocess_specs):
    """The target version's spec of the task's element (top level or in a subprocess)."""
    name = task.task_spec.name
    for spec in (target_spec, *target_subprocess_specs.values()):
        if name in spec.task_specs:
            return spec.task_specs[name]
    return None


def _due_under(task, old_event, old_due: datetime, new_event) -> datetime | None:
    """The timer's due time had it started waiting under `new_event`: a date is evaluated over the task's data;
    a duration counts from when the timer started waiting (the old due time less the old duration)."""
    engine = task.workflow.script_engine
    if isinstance(new_event, TimeDateEventDefinition):
        return _naive_utc(TimerEventDefinition.get_datetime(engine.evaluate(task, new_event.expression)))
    if isinstance(new_event, DurationTimerEventDefinition):
        if isinstance(old_event, DurationTimerEventDefinition):
            old_duration = TimerEventDefinition.parse_iso_duration(engine.evaluate(task, old_event.expression))
            started = old_due.replace(tzinfo=UTC) - TimerEventDefinition.get_timedelta_from_end(
                old_duration, old_due.replace(tzinfo=UTC))
        else:
            started = _started_waiting(task)
        duration = TimerEventDefinition.parse_iso_duration(engine.evaluate(task, new_event.expression))
        return _naive_utc(started + TimerEventDefinition.get_timedelta_from_start(duration, started))
    return None  # a cycle: not recomputed


def _started_waiting(task) -> datetime:
    """When the timer task started waiting (its last state change)."""
    return datetime.fromtimestamp(task.last_state_change, UTC)


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def _reschedule(session: Session, actor: Actor, instance: ProcessInstance, workflow,
                changes: list[TimerChange]) -> None:
    """Move each changed timer's due time (in the workflow state and its Timer row), audited with old and new."""
    if not changes:
        return
    waiting = {t.task_spec.bpmn_id: t for t in workflow.get_tasks(state=TaskState.WAITING)}
    for change in changes:
        task = waiting.get(change.element_id)
        if task is None or change.new_due is None or change.new_due == change.old_due:
            continue
        task._set_internal_data(event_value=change.new_due.replace(tzinfo=UTC).isoformat())
        for row in session.scalars(select(Timer).where(Timer.task_guid == str(task.id), Timer.fired_at.is_(None))):
            row.due_at = change.new_due
        audit.record(session, actor, "timer_rescheduled", instance_id=instance.id, spec_name=change.element_id,
                     title=change.name,
                     summary={"element": change.name, "old_due": change.old_due.replace(tzinfo=UTC).isoformat(),
                              "new_due": change.new_due.replace(tzinfo=UTC).isoformat(),
                              "reason": "移行先の版のタイマー定義に合わせて期限を計算し直しました"})
    instance.state = dump_workflow(workflow)


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
