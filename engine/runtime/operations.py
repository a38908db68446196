"""Operator actions on an instance (system administrators only): suspend, resume, terminate, reassign a task.

Each runs as one transaction with the instance row locked (the same optimistic version the runner checks, so a
clerk completing a task at the same moment loses cleanly), requires a reason and writes an audit event. A
suspended instance refuses task completion and timers (the runner only moves running / waiting instances);
resuming re-arms the timers that came due meanwhile.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.db import utcnow
from engine.errors import (
    EngineError,
    InstanceNotActive,
    InstanceNotFound,
    LaneForbidden,
    TaskNotFound,
    TaskNotOpen,
)
from engine.evidence import audit
from engine.models import AuditEvent, HumanTask, Incident, InstanceStatus, ProcessInstance, Timer
from engine.outcomes import OUTCOMES, TERMINATED, Outcome, set_outcome
from engine.runtime.runner import WorkflowRunner

__all__ = ["OPERATOR_ROLES", "AssigneeNotFound", "InstanceOperations", "OperationForbidden", "ReasonRequired"]

OPERATOR_ROLES = ("admin",)
SUSPENDABLE = (InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.ERROR)
TERMINABLE = (*SUSPENDABLE, InstanceStatus.SUSPENDED)
MAX_REASON = 500


class OperationForbidden(EngineError):
    """Only system administrators operate instances (auditors see the operations, never do them)."""

    code = "operation_forbidden"
    http_status = 403


class AssigneeNotFound(EngineError):
    code = "assignee_not_found"
    http_status = 422


class ReasonRequired(EngineError):
    code = "reason_required"
    http_status = 422


class InstanceOperations:
    def __init__(self, runner: WorkflowRunner) -> None:
        self.runner = runner

    def suspend(self, instance_id: int, actor: Actor, reason: str) -> str:
        """Stop an active instance until resumed; raise InstanceNotActive when it is not active."""
        with self._operation(instance_id, actor, reason, SUSPENDABLE) as (session, instance, why):
            before = instance.status
            instance.status, instance.updated_at = InstanceStatus.SUSPENDED, utcnow()
            audit.record(session, actor, "suspend", instance_id=instance.id, title="事案の一時停止",
                         summary={"reason": why, "status_before": before})
            return instance.status

    def resume(self, instance_id: int, actor: Actor, reason: str) -> str:
        """Let a suspended instance go on from where it stood; re-arm timers that came due while it was held."""
        with self._operation(instance_id, actor, reason, (InstanceStatus.SUSPENDED,)) as (session, instance, why):
            since = _suspended_since(session, instance.id)
            if since is not None:
                session.execute(update(Timer).where(Timer.instance_id == instance.id, Timer.fired_at >= since)
                                .values(fired_at=None))
            instance.status, instance.updated_at = _resumed_status(session, instance.id), utcnow()
            audit.record(session, actor, "resume", instance_id=instance.id, title="事案の再開",
                         summary={"reason": why, "status_after": instance.status})
            return instance.status

    def terminate(self, instance_id: int, actor: Actor, reason: str) -> str:
        """End an instance for good: open tasks are withdrawn and its timers cancelled; nothing else runs."""
        with self._operation(instance_id, actor, reason, TERMINABLE) as (session, instance, why):
            now = utcnow()
            withdrawn = session.execute(update(HumanTask).where(HumanTask.instance_id == instance.id,
                                                                HumanTask.is_open.is_(True))
                                        .values(is_open=False)).rowcount
            session.execute(update(Timer).where(Timer.instance_id == instance.id, Timer.fired_at.is_(None))
                            .values(fired_at=now))
            before = instance.status
            instance.status, instance.updated_at, instance.ended_at = InstanceStatus.TERMINATED, now, now
            set_outcome(instance, Outcome(TERMINATED, OUTCOMES[TERMINATED][0], why))
            audit.record(session, actor, "terminate", instance_id=instance.id, title="事案の強制終了",
                         summary={"reason": why, "status_before": before, "withdrawn_tasks": withdrawn})
            return instance.status

    def reassign(self, task_id: int, actor: Actor, to: Actor, reason: str) -> None:
        """Give a claimed (or unclaimed) open task to another clerk who works its lane."""
        why = _reason(reason)
        _require_operator(actor)
        with self._unit() as session:
            row = session.get(HumanTask, task_id, with_for_update=True)
            if row is None:
                raise TaskNotFound("作業が見つかりません")
            if not row.is_open:
                raise TaskNotOpen("この作業は既に処理されています")
            if not to.may_work(row.lane):
                raise LaneForbidden(f"{to.username} さんは{row.lane}の作業を担当できません")
            before = row.claimed_by
            row.claimed_by, row.claimed_at = to.username, utcnow()
            audit.record(session, actor, "reassign", instance_id=row.instance_id, spec_name=row.spec_name,
                         title=row.title, summary={"reason": why, "from": before, "to": to.username,
                                                   "task_id": row.id, "lane": row.lane})

    # ---- shared ----------------------------------------------------------------------------------------------
    def _unit(self):
        # the runner's own unit of work: the same transaction rules and StaleInstance translation as a completion
        return self.runner._unit_of_work()

    @contextmanager
    def _operation(self, instance_id: int, actor: Actor, reason: str, allowed: tuple[str, ...]):
        why = _reason(reason)
        _require_operator(actor)
        with self._unit() as session:
            # the runner's lock order: the instance's inbox rows, then the instance row (the chain heads come last,
            # at the commit: engine/evidence/chain.py)
            session.execute(select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                                       HumanTask.is_open.is_(True)).with_for_update())
            instance = session.get(ProcessInstance, instance_id, with_for_update=True)
            if instance is None:
                raise InstanceNotFound("事案が見つかりません")
            if instance.status not in allowed:
                raise InstanceNotActive(f"この事案はこの操作ができない状態です（{instance.status}）")
            yield session, instance, why


def _require_operator(actor: Actor) -> None:
    if actor.role not in OPERATOR_ROLES:
        raise OperationForbidden("この操作はシステム管理の役割だけが行えます")


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ReasonRequired("理由を入力してください")
    if len(text) > MAX_REASON:
        raise ReasonRequired(f"理由は{MAX_REASON}文字以内で入力してください")
    return text


def _suspended_since(session: Session, instance_id: int) -> datetime | None:
    return session.scalar(select(AuditEvent.at).where(AuditEvent.instance_id == instance_id,
                                                      AuditEvent.kind == "suspend")
                          .order_by(AuditEvent.at.desc()).limit(1))


def _resumed_status(session: Session, instance_id: int) -> str:
    """What the runner would call the instance now: error with an open incident, running with an open task."""
    if session.scalars(select(Incident.id).where(Incident.instance_id == instance_id,
                                                 Incident.resolved_at.is_(None))).first() is not None:
        return InstanceStatus.ERROR
    if session.scalars(select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                                  HumanTask.is_open.is_(True))).first() is not None:
        return InstanceStatus.RUNNING
    return InstanceStatus.WAITING
