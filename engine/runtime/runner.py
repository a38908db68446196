"""The workflow runner: start, claim, complete and retry, each as ONE database transaction.

A unit of work loads the instance's state (optimistic version), lets SpiffWorkflow run the task and every engine
step after it (service tasks go to the handler registry inside a savepoint), then writes the new state, the inbox
rows, the registry changes and the audit events together.
"""

from __future__ import annotations

import copy
import re
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.actor import LANE_OF_ROLE, SYSTEM, Actor
from engine.contracts import ContextFactory, ServiceCaller, SubjectResolver
from engine.db import utcnow
from engine.errors import (
    DefinitionNotFound,
    EngineError,
    FormCheckRefused,
    FormInvalid,
    FourEyesRequired,
    InstanceNotActive,
    InstanceNotFound,
    InvalidStartData,
    LaneForbidden,
    StaleInstance,
    TaskClaimedByOther,
    TaskNotFound,
    TaskNotOpen,
)
from engine.evidence import audit
from engine.library.catalog import (
    SpecCache,
    active_definition,
    dump_workflow,
    message_start,
    restore_on,
)
from engine.library.definition_expressions import reset_variables
from engine.library.definitions import approval_of, form_check_of, form_file_of, is_human
from engine.library.expressions import ExpressionError
from engine.library.forms import coerce_form_input, secret_fields, validate_form
from engine.library.migration import move_to_active_version
from engine.library.script_engine import InkanScriptEngine
from engine.models import (
    AuditEvent,
    HumanTask,
    Incident,
    InstanceStatus,
    ProcessInstance,
    Timer,
)
from engine.outcomes import CANCELLED, OUTCOMES, Outcome, set_outcome
from engine.runtime.endings import outcome_of_end
from engine.runtime.pruning import prune_finished_history
from handlers.base import HandlerError, HandlerRegistry, Subject
from handlers.contracts import FOLLOW_UP_KEY, FollowUpStarted

START_KEY = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
ACTIVE = (InstanceStatus.RUNNING, InstanceStatus.WAITING)
# A handler result may carry {"process_id": …, "data": {…}} under FOLLOW_UP_KEY (handlers.contracts.FollowUp): the
# runner starts that process in the same transaction (a flow handing over to another, e.g. 4.1.2 → 4.1.4) and puts
# {process_id, instance_id} back.
STOPPED_WITHOUT_END = ("この事案は終了イベントに到達しないまま処理が止まりました（完了扱いにはしていません）。"
                       "管理者に連絡してください")
CANCEL_HOOK = "inkan.instance.cancel"  # the registry's side of cancelling an instance (optional handler)


@dataclass(frozen=True)
class NextStep:
    """An open task of the case after a unit of work: where the case went (lane, step, who has it)."""

    task_id: int
    lane: str
    title: str
    claimed_by: str | None


@dataclass
class RunOutcome:
    instance_id: int
    status: str
    next_task_id: int | None = None  # the case's next task when it is this actor's (claimed by them)
    incident_id: int | None = None
    messages: list[str] = field(default_factory=list)
    next_steps: list[NextStep] = field(default_factory=list)  # every open task of the case
    outcome: str | None = None  # how the case ended (登録完了, 却下（理由） …), once it has


class StoppedWithoutEnd(EngineError):
    """The workflow has nothing left to run but never reached an end event: an incident, never "completed"."""

    code = "stopped_without_end"


@dataclass
class _Run:
    """What one unit of work learned while SpiffWorkflow ran: subject changes and the first failure."""

    instance: ProcessInstance
    actor: Actor
    failure: tuple[Any, BaseException, str] | None = None
    follow_up: RunOutcome | None = None  # an instance a handler asked to start (FOLLOW_UP_KEY)


class WorkflowRunner:
    def __init__(self, session_factory: sessionmaker[Session], handlers: HandlerRegistry, specs: SpecCache,
                 context_factory: ContextFactory, subject_of_start: SubjectResolver | None = None) -> None:
        self.session_factory = session_factory
        self.subject_of_start = subject_of_start
        self.handlers = handlers
        self.specs = specs
        self.context_factory = context_factory

    # ---- public operations -------------------------------------------------------------------------------
    def start(self, process_id: str, actor: Actor, data: dict[str, Any] | None = None) -> RunOutcome:
        """Start the active version of a process; raise DefinitionNotFound, LaneForbidden or FormInvalid."""
        if not actor.may_start:
            raise LaneForbidden("この役割では業務を開始できません")
        start_data = _checked_start_data(data or {})
        with self._unit_of_work() as session:
            return self._start_in(session, process_id, actor, start_data)

    def _start_in(self, session: Session, process_id: str, actor: Actor, start_data: dict[str, Any],
                  started_from: int | None = None) -> RunOutcome:
        definition = active_definition(session, process_id)
        entry = self.specs.get(definition)
        instance = ProcessInstance(definition_id=definition.id, process_id=process_id,
                                   status=InstanceStatus.RUNNING, state="", started_by=actor.username)
        if self.subject_of_start is not None:
            _apply_subject(instance, self.subject_of_start(session, start_data))
        session.add(instance)
        session.flush()
        workflow = BpmnWorkflow(entry.spec, entry.subprocess_specs)
        workflow.get_tasks(state=TaskState.READY)[0].data.update(start_data)
        summary: dict[str, Any] = {"process_id": process_id, "version": definition.content_hash[:12],
                                   "data": start_data}
        if started_from is not None:
            summary["started_from"] = started_from
        audit.record(session, actor, "start", instance_id=instance.id, title=definition.name, summary=summary)
        run = _Run(instance, actor)
        self._advance(session, run, workflow)
        return self._save(session, run, workflow, actor)

    def cancel(self, instance_id: int, actor: Actor, reason: str) -> RunOutcome:
        """Stop an instance started by mistake: terminated, open tasks closed, audited with the reason.

        The handler registered under CANCEL_HOOK (if any) first closes what the instance opened in the registry,
        and refuses (HandlerError) when the instance already changed a record. Raise LaneForbidden, FormInvalid
        (no reason), InstanceNotFound or InstanceNotActive.
        """
        reason = (reason or "").strip()
        if not actor.may_start:
            raise LaneForbidden("この役割では事案を取り消せません")
        if not reason or len(reason) > 400:
            raise FormInvalid("取消の理由を入力してください（400文字以内）", {"reason": "取消の理由を入力してください"})
        with self._unit_of_work() as session:
            instance = self._active_instance(session, instance_id)
            if CANCEL_HOOK in self.handlers:
                ctx = self.context_factory(session=session, actor=actor.username, instance_id=instance.id,
                                           task_name="cancel")
                self.handlers.get(CANCEL_HOOK).call(ctx, {"reason": reason})
            for row in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                               HumanTask.is_open.is_(True))):
                row.is_open = False
            instance.status, instance.updated_at = InstanceStatus.TERMINATED, utcnow()
            instance.ended_at, instance.end_event = instance.updated_at, None
            set_outcome(instance, Outcome(CANCELLED, OUTCOMES[CANCELLED][0], reason))
            audit.record(session, actor, "cancel", instance_id=instance.id, summary={"reason": reason})
            session.flush()
            return RunOutcome(instance.id, instance.status)

    def start_by_message(self, message_name: str, payload: dict[str, Any], actor: Actor = SYSTEM, *,
                         on_started: Callable[[Session, RunOutcome], None] | None = None) -> RunOutcome:
        """Start the active definition whose message start event catches `message_name`, carrying `payload`.

        The message's correlation properties (e.g. resident_id) are computed from the payload and become the
        instance's correlation keys. `on_started` runs in the same transaction (the caller's receipt).
        Raise DefinitionNotFound when no active definition starts on this message.
        """
        with self._unit_of_work() as session:
            definition, event_definition = message_start(session, self.specs, message_name)
            entry = self.specs.get(definition)
            instance = ProcessInstance(definition_id=definition.id, process_id=definition.process_id,
                                       status=InstanceStatus.RUNNING, state="", started_by=actor.username)
            if self.subject_of_start is not None:
                _apply_subject(instance, self.subject_of_start(session, payload))
            session.add(instance)
            session.flush()
            audit.record(session, actor, "start", instance_id=instance.id, title=definition.name,
                         summary={"process_id": definition.process_id, "message": message_name,
                                  "version": definition.content_hash[:12], "data": payload})
            workflow = BpmnWorkflow(entry.spec, entry.subprocess_specs)
            run = _Run(instance, actor)
            self._advance(session, run, workflow)  # Start → the start events wait for their messages
            correlations = event_definition.calculate_correlations(
                workflow.script_engine, event_definition.correlation_properties, payload)
            workflow.send_event(BpmnEvent(event_definition, payload=payload, correlations=correlations))
            self._advance(session, run, workflow)
            outcome = self._save(session, run, workflow, actor)
            if on_started is not None:
                on_started(session, outcome)
            return outcome

    def deliver_message(self, instance_id: int, message_name: str, payload: dict[str, Any],
                        actor: Actor = SYSTEM, *,
                        on_delivered: Callable[[Session, RunOutcome | None], None] | None = None) -> RunOutcome | None:
        """Hand `message_name` with `payload` to a running instance that waits for it (a message boundary or catch
        event), then run it on; the caller found the instance (the engine does not route between instances).

        None (nothing changed) when the instance has ended or nothing in it waits for the message now.
        `on_delivered` runs in the same transaction (the caller's receipt), also for None.
        """
        with self._unit_of_work() as session:
            instance = session.get(ProcessInstance, instance_id)
            waiting = None
            if instance is not None and instance.status in ACTIVE:
                workflow = self._load(session, instance)
                waiting = next((t for t in workflow.get_tasks(state=TaskState.WAITING)
                                if getattr(getattr(t.task_spec, "event_definition", None), "name", None)
                                == message_name), None)
            if waiting is None:
                if on_delivered is not None:
                    on_delivered(session, None)
                return None
            audit.record(session, actor, "message", instance_id=instance.id, spec_name=waiting.task_spec.bpmn_id,
                         title=waiting.task_spec.bpmn_name, summary={"message": message_name, "data": payload})
            run = _Run(instance, actor)
            workflow.send_event(BpmnEvent(waiting.task_spec.event_definition, payload=payload))
            self._advance(session, run, workflow)
            outcome = self._save(session, run, workflow, actor)
            if on_delivered is not None:
                on_delivered(session, outcome)
            return outcome

    def claim(self, task_id: int, actor: Actor, *, take_over: bool = False) -> bool:
        """Make the task the actor's; `take_over` takes it from the clerk who has it (audited with their name).
        Return whether it changed hands (claiming one's own task again is no change)."""
        with self._unit_of_work() as session:
            row = self._open_row(session, task_id, actor)
            before = row.claimed_by
            if before == actor.username:
                return False
            if before and not take_over:
                raise TaskClaimedByOther(f"この作業は {before} さんが担当中です")
            self._check_four_eyes(session, row, actor)
            row.claimed_by, row.claimed_at = actor.username, utcnow()
            audit.record(session, actor, "claim", instance_id=row.instance_id, spec_name=row.spec_name,
                         title=row.title, summary={"taken_from": before} if before else None)
            return True

    def unclaim(self, task_id: int, actor: Actor) -> None:
        with self._unit_of_work() as session:
            row = self._open_row(session, task_id, actor)
            if row.claimed_by != actor.username:
                raise TaskClaimedByOther("自分が担当している作業だけ担当を外せます")
            row.claimed_by, row.claimed_at = None, None
            audit.record(session, actor, "unclaim", instance_id=row.instance_id, spec_name=row.spec_name,
                         title=row.title)

    def complete(self, task_id: int, actor: Actor, data: dict[str, Any], *, from_html: bool = False) -> RunOutcome:
        """Validate the form data and complete the task; raise FormInvalid, TaskNotOpen, StaleInstance …"""
        with self._unit_of_work() as session:
            row = self._open_row(session, task_id, actor)
            if row.claimed_by and row.claimed_by != actor.username:
                raise TaskClaimedByOther(f"この作業は {row.claimed_by} さんが担当中です")
            instance = self._active_instance(session, row.instance_id)
            self._check_four_eyes(session, row, actor)
            if row.claimed_by is None:  # nobody had it: completing it claims it first (one claim model)
                row.claimed_by, row.claimed_at = actor.username, utcnow()
                audit.record(session, actor, "claim", instance_id=row.instance_id, spec_name=row.spec_name,
                             title=row.title)
            entry = self.specs.of_id(session, instance.definition_id)
            form = entry.forms.get(row.form_file) if row.form_file else None
            cleaned = data
            if form is not None:
                cleaned = validate_form(form, coerce_form_input(form, data) if from_html else data)
            workflow = self._load(session, instance)
            task = workflow.get_task_from_id(UUID(row.task_guid))
            if task is None or task.state != TaskState.READY:
                raise TaskNotOpen("この作業は既に処理されています")
            self._check_form(session, instance, task, cleaned, actor)
            before = {key: copy.deepcopy(task.data.get(key)) for key in cleaned}
            task.data.update(cleaned)
            task.run()
            row.is_open, row.completed_by, row.completed_at = False, actor.username, utcnow()
            audit.record(session, actor, "complete", instance_id=instance.id, spec_name=row.spec_name,
                         title=row.title, summary={"changes": audit.data_changes(before, cleaned,
                                                                                 secret_fields(entry.forms))})
            run = _Run(instance, actor)
            self._advance(session, run, workflow)
            return self._save(session, run, workflow, actor)

    def retry(self, incident_id: int, actor: Actor, *, on_active_version: bool = False) -> RunOutcome:
        """Run a failed service task again; the incident is resolved whether or not it fails anew.

        `on_active_version`: the operator chose to move the instance first onto its flow's active version (when it
        can move: engine.library.migration, audited), so an incident a corrected flow resolves (e.g. a new refusal branch)
        ends there. Without it the instance stays on the version it started on, like every running instance.
        """
        with self._unit_of_work() as session:
            incident = session.get(Incident, incident_id)
            if incident is None or incident.resolved_at is not None:
                raise TaskNotFound("この障害は存在しないか、既に再実行されています")
            instance = session.get(ProcessInstance, incident.instance_id)
            if instance.status != InstanceStatus.ERROR:
                raise InstanceNotActive("この事案はエラー状態ではありません")
            if not incident.task_guid:
                raise InstanceNotActive("この障害は作業の再実行では解消できません（事案の状態を管理者が確認してください）")
            if on_active_version:
                move_to_active_version(session, self.specs, instance, actor)
            workflow = self._load(session, instance)
            task = workflow.get_task_from_id(UUID(incident.task_guid))
            task._set_state(TaskState.READY)  # the public reset would also rewind the data; a retry must not
            incident.resolved_at, incident.resolved_by = utcnow(), actor.username
            audit.record(session, actor, "retry", instance_id=instance.id, spec_name=incident.spec_name,
                         summary={"incident_id": incident.id, "operator": incident.operator_id})
            run = _Run(instance, actor)
            self._advance(session, run, workflow)
            return self._save(session, run, workflow, actor)

    def fire_due_timers(self, now=None, limit: int = 20) -> int:
        """Run the instances whose timers are due; each in its own transaction. Returns how many fired."""
        fired = 0
        for timer_id in self._due_timer_ids(now or utcnow(), limit):
            if self._fire_timer(timer_id, now or utcnow()):
                fired += 1
        return fired

    def _due_timer_ids(self, now, limit: int) -> list[int]:
        with self.session_factory() as session:
            return list(session.scalars(select(Timer.id).where(Timer.fired_at.is_(None), Timer.due_at <= now)
                                        .order_by(Timer.due_at).limit(limit)))

    def _fire_timer(self, timer_id: int, now) -> bool:
        with self._unit_of_work() as session:
            # SKIP LOCKED: another worker already firing this timer is left alone (no-op on SQLite).
            timer = session.scalars(select(Timer).where(Timer.id == timer_id, Timer.fired_at.is_(None))
                                    .with_for_update(skip_locked=True)).first()
            if timer is None:
                return False
            timer.fired_at = now
            instance = session.get(ProcessInstance, timer.instance_id)
            if instance.status not in ACTIVE:
                return False
            workflow = self._load(session, instance)
            _mark_timer_fired(workflow, timer.task_guid)
            workflow.refresh_timers()
            audit.record(session, SYSTEM, "timer", instance_id=instance.id, summary={"timer_id": timer.id})
            run = _Run(instance, SYSTEM)
            self._advance(session, run, workflow)
            self._save(session, run, workflow, SYSTEM)
            return True

    # ---- loading and saving ------------------------------------------------------------------------------
    @contextmanager
    def _unit_of_work(self):
        session = self.session_factory()
        try:
            with session.begin():
                yield session
        except StaleDataError:
            raise StaleInstance("他の職員が同時にこの事案を更新しました。画面を開き直してください") from None
        finally:
            session.close()

    def _open_row(self, session: Session, task_id: int, actor: Actor) -> HumanTask:
        # Row lock: a second clerk completing the same task waits here, then finds it closed, instead of
        # running the service tasks a second time only to lose at the optimistic version check.
        row = session.get(HumanTask, task_id, with_for_update=True)
        if row is None:
            raise TaskNotFound("作業が見つかりません")
        if not actor.may_work(row.lane):
            raise LaneForbidden(f"{row.lane}の作業はこの役割では処理できません")
        if not row.is_open:
            who = f"（{row.completed_by} さんが完了）" if row.completed_by else ""
            raise TaskNotOpen(f"この作業は既に処理されています{who}")
        return row

    def _check_four_eyes(self, session: Session, row: HumanTask, actor: Actor) -> None:
        """An approval task (approvalOf) is refused to every clerk who completed the request it approves."""
        instance = session.get_one(ProcessInstance, row.instance_id)
        spec = self.specs.of_id(session, instance.definition_id).spec.task_specs.get(row.spec_name)
        requested_by = approval_of(spec) if spec is not None else None
        if requested_by is None:
            return
        requesters = set(session.scalars(select(HumanTask.completed_by).where(
            HumanTask.instance_id == row.instance_id, HumanTask.spec_name == requested_by)))
        if actor.username in requesters:
            raise FourEyesRequired("この承認は、申請を入力した職員とは別の職員が行ってください（二者確認）")

    def _check_form(self, session: Session, instance: ProcessInstance, task, cleaned: dict[str, Any],
                    actor: Actor) -> None:
        """Run the user task's formCheck handler on the task data with the submitted form; its refusal is the
        form's: FormCheckRefused (422) with the handler's code, and the unit of work writes nothing."""
        operator = form_check_of(task.task_spec)
        if operator is None:
            return
        ctx = self.context_factory(session=session, actor=actor.username, instance_id=instance.id,
                                   task_name=task.task_spec.bpmn_id)
        try:
            with session.begin_nested():
                self.handlers.get(operator).call(ctx, dict(task.data) | cleaned)
        except HandlerError as exc:
            field = exc.field or "_form"
            raise FormCheckRefused(exc.message, {field: exc.message}, exc.code) from exc

    def _active_instance(self, session: Session, instance_id: int) -> ProcessInstance:
        instance = session.get(ProcessInstance, instance_id)
        if instance is None:
            raise InstanceNotFound("事案が見つかりません")
        if instance.status not in ACTIVE:
            raise InstanceNotActive(f"この事案は処理できない状態です（{instance.status}）")
        return instance

    def _load(self, session: Session, instance: ProcessInstance) -> BpmnWorkflow:
        """The instance's workflow on its definition's cached spec (the definition's row is read only on a miss)."""
        return restore_on(self.specs.of_id(session, instance.definition_id), instance.state)

    # ---- running -----------------------------------------------------------------------------------------
    def _advance(self, session: Session, run: _Run, workflow: BpmnWorkflow) -> None:
        workflow.script_engine = InkanScriptEngine(self._service_caller(session, run))
        try:
            workflow.do_engine_steps()
        except EngineError as exc:
            if not isinstance(exc, ExpressionError):
                raise
            self._note_failure(run, workflow, exc)  # a condition that cannot be evaluated: an incident
        except Exception as exc:  # noqa: BLE001 — any handler failure becomes an incident, never a lost task
            self._note_failure(run, workflow, exc)
        _reset_variables(workflow)

    @staticmethod
    def _note_failure(run: _Run, workflow: BpmnWorkflow, exc: BaseException) -> None:
        if run.failure is None:
            failed = next(iter(workflow.get_tasks(state=TaskState.ERROR)), None)
            run.failure = (failed, exc, traceback.format_exc())

    def _service_caller(self, session: Session, run: _Run) -> ServiceCaller:
        def call(task: Any, operator_id: str, params: dict[str, Any]) -> dict[str, Any]:
            handler = self.handlers.get(operator_id)
            ctx = self.context_factory(session=session, actor=run.actor.username, instance_id=run.instance.id,
                                       task_name=task.task_spec.bpmn_id)
            with session.begin_nested():
                result = handler.call(ctx, params)
            _apply_subject(run.instance, ctx.subject)
            if isinstance(result.get(FOLLOW_UP_KEY), dict):
                result[FOLLOW_UP_KEY] = self._start_follow_up(session, run, result[FOLLOW_UP_KEY])
            secrets = secret_fields(self.specs.of_id(session, run.instance.definition_id).forms)
            audit.record(session, run.actor, "service_call", instance_id=run.instance.id,
                         spec_name=task.task_spec.bpmn_id, title=task.task_spec.bpmn_name,
                         summary={"operator": operator_id, "function_id": handler.function_id,
                                  "params": audit.masked(params, secrets), "result": audit.masked(result, secrets),
                                  "documents": ctx.printed})
            return result

        return call

    def _start_follow_up(self, session: Session, run: _Run, request: dict[str, Any]) -> FollowUpStarted:
        """Start the process a handler handed over to, as the same actor, in the same transaction."""
        process_id = str(request.get("process_id"))
        try:
            child = self._start_in(session, process_id, run.actor, _checked_start_data(request.get("data") or {}),
                                   started_from=run.instance.id)
        except DefinitionNotFound as exc:  # an incident on this instance, retried once the flow is deployed
            raise HandlerError(exc.message, code=exc.code) from exc
        run.follow_up = child
        return {"process_id": process_id, "instance_id": child.instance_id}

    def _save(self, session: Session, run: _Run, workflow: BpmnWorkflow, actor: Actor) -> RunOutcome:
        instance = run.instance
        outcome = RunOutcome(instance.id, instance.status)
        if run.failure is not None:
            outcome.incident_id = self._record_incident(session, run)
        entry = self.specs.of_id(session, instance.definition_id)
        _remove_secrets(workflow, secret_fields(entry.forms))
        if run.failure is None:
            prune_finished_history(workflow, entry.flows)
            if workflow.is_completed() and _end_event(workflow) is None:
                run.failure = (None, StoppedWithoutEnd(STOPPED_WITHOUT_END), "")
                outcome.incident_id = self._record_incident(session, run)
        instance.state = dump_workflow(workflow)
        instance.status = _status_of(workflow, run)
        instance.updated_at = utcnow()
        if instance.status == InstanceStatus.COMPLETED:
            instance.ended_at = instance.updated_at
            end = _end_task(workflow)
            instance.end_event = end.task_spec.bpmn_id if end is not None else None
            if end is not None:
                set_outcome(instance, outcome_of_end(end))
        outcome.status = instance.status
        outcome.outcome = instance.outcome_text or None
        outcome.next_task_id = self._sync_inbox(session, instance, workflow, actor)
        outcome.next_steps = [NextStep(row.id, row.lane, row.title, row.claimed_by)
                              for row in session.scalars(select(HumanTask).where(
                                  HumanTask.instance_id == instance.id, HumanTask.is_open.is_(True))
                                  .order_by(HumanTask.id))]
        if outcome.next_task_id is None and run.follow_up is not None:
            outcome.next_task_id = run.follow_up.next_task_id  # the clerk goes on in the flow handed over to
        _sync_timers(session, instance, workflow)
        session.flush()
        return outcome

    def _record_incident(self, session: Session, run: _Run) -> int:
        assert run.failure is not None  # called only once a failure was noted
        task, exc, trace = run.failure
        incident = Incident(
            instance_id=run.instance.id, task_guid=str(task.id) if task else "",
            spec_name=task.task_spec.bpmn_id if task else "", error_type=type(exc).__name__,
            operator_id=getattr(task.task_spec, "operation_name", None) if task else None,
            error_code=getattr(exc, "code", None), message=str(exc) or type(exc).__name__, traceback=trace)
        session.add(incident)
        session.flush()
        audit.record(session, run.actor, "error", instance_id=run.instance.id, spec_name=incident.spec_name,
                     summary={"incident_id": incident.id, "error": incident.error_type, "message": incident.message})
        return incident.id

    def _sync_inbox(self, session: Session, instance: ProcessInstance, workflow: BpmnWorkflow,
                    actor: Actor) -> int | None:
        """Make the open inbox rows equal the READY human tasks; return the new task this actor does next.

        One claim model: a new task goes to the clerk who keeps the case in its lane (who last completed a task
        of this case in that lane, or the clerk starting or working the case now when they work that lane), so
        nobody claims the same case again step after step; an approval never goes to the clerk it checks."""
        ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY) if is_human(t.task_spec)}
        rows = {row.task_guid: row for row in session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.is_open.is_(True)))}
        for guid, row in rows.items():
            if guid not in ready:
                row.is_open = False
        next_task_id = unclaimed_next = None
        for guid, task in ready.items():
            if guid in rows:
                continue
            spec = task.task_spec
            row = HumanTask(instance_id=instance.id, task_guid=guid, spec_name=spec.bpmn_id,
                            title=spec.bpmn_name or spec.bpmn_id, lane=spec.lane or "", form_file=form_file_of(spec),
                            due_at=_due_of(task), case_started_at=instance.started_at)
            owner = _lane_keeper(session, instance.id, spec.bpmn_id, row.lane, actor)
            if owner is not None and not _checked_by(session, instance.id, spec, owner):
                row.claimed_by, row.claimed_at = owner, utcnow()
            session.add(row)
            session.flush()
            if next_task_id is None and row.claimed_by == actor.username:
                next_task_id = row.id
            if unclaimed_next is None and row.claimed_by is None and actor.may_work(row.lane):
                unclaimed_next = row.id  # nobody keeps it and the actor may: they go on to it (opening claims)
        return next_task_id if next_task_id is not None else unclaimed_next


def _due_of(task) -> datetime | None:
    """A human task's deadline: the earliest timer event attached to it (a boundary timer, e.g. the 4.1.4 answer
    deadline), naive UTC like every stored time; None when nothing times it."""
    dues = []
    for sibling in task.parent.children if task.parent is not None else []:
        event = getattr(sibling.task_spec, "event_definition", None)
        if sibling is task or not isinstance(event, TimerEventDefinition):
            continue
        value = sibling._get_internal_data("event_value")
        if value is not None:
            dues.append(TimerEventDefinition.get_datetime(value).astimezone(UTC).replace(tzinfo=None))
    return min(dues) if dues else None


def _lane_keeper(session: Session, instance_id: int, spec_name: str, lane: str, actor: Actor) -> str | None:
    """Who keeps this case's task `spec_name` in `lane`: the clerk who last did this same step of the case (a step
    sent back returns to who did it), else the clerk who last completed a task of the case in that lane, else the
    acting clerk of that lane or whoever starts the case; nobody (the lane's inbox) otherwise. Managers approve
    and decide single steps: after them the case stays with the lane's clerks, not with the manager."""
    done = session.execute(select(AuditEvent.actor, AuditEvent.actor_role, AuditEvent.spec_name).where(
        AuditEvent.instance_id == instance_id, AuditEvent.kind == "complete").order_by(AuditEvent.id.desc())).all()
    lanes = dict(session.execute(select(HumanTask.spec_name, HumanTask.lane).where(
        HumanTask.instance_id == instance_id)).all())
    clerks = [(who, step) for who, role, step in done if LANE_OF_ROLE.get(role or "") == lane
              and lanes.get(step or "") == lane]
    for who, step in clerks:
        if step == spec_name:
            return who
    if clerks:
        return clerks[0][0]
    if LANE_OF_ROLE.get(actor.role) == lane or (not done and actor != SYSTEM and actor.may_work(lane)):
        return actor.username  # a clerk of the lane working the case, or whoever starts it
    return None


def _checked_by(session: Session, instance_id: int, spec, username: str) -> bool:
    """An approval task (approvalOf) whose request this clerk completed: never theirs (four eyes)."""
    requested_by = approval_of(spec)
    return requested_by is not None and username in set(session.scalars(select(HumanTask.completed_by).where(
        HumanTask.instance_id == instance_id, HumanTask.spec_name == requested_by)))


def _reset_variables(workflow: BpmnWorkflow) -> None:
    """A user task's resetVariables are set to null once, when the task comes up (what a preScript used to do)."""
    for task in workflow.get_tasks(state=TaskState.READY):
        names = reset_variables(task.task_spec)
        if names and not task._get_internal_data("variables_reset"):
            task.data.update(dict.fromkeys(names))
            task._set_internal_data(variables_reset=True)


def _remove_secrets(workflow: BpmnWorkflow, secrets: frozenset[str]) -> None:
    """writeOnly fields (PINs) leave every task's data before the state is saved: they are used by the service
    task that follows their form in the same unit of work, and never stored."""
    if not secrets:
        return
    for task in workflow.get_tasks():
        for name in secrets & task.data.keys():
            del task.data[name]
    for name in secrets & workflow.data.keys():
        del workflow.data[name]


def _mark_timer_fired(workflow: BpmnWorkflow, task_guid: str) -> None:
    """The claimed timer row decides that the timer is due (the worker's clock), not the process's own clock."""
    task = workflow.tasks.get(UUID(task_guid))  # gone when a loop replaced it: its successor has its own row
    if task is not None and task.state == TaskState.WAITING:
        task._set_internal_data(event_fired=True)


def _sync_timers(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    """Keep a due-time row for every waiting timer event, so a worker can find it without loading states."""
    for task in workflow.get_tasks(state=TaskState.WAITING):
        event = getattr(task.task_spec, "event_definition", None)
        due = task._get_internal_data("event_value") if isinstance(event, TimerEventDefinition) else None
        if due is None:
            continue
        guid = str(task.id)
        if session.scalars(select(Timer.id).where(Timer.task_guid == guid)).first() is None:
            due_at = TimerEventDefinition.get_datetime(due).astimezone(UTC).replace(tzinfo=None)
            session.add(Timer(instance_id=instance.id, task_guid=guid, due_at=due_at))


def _checked_start_data(data: dict[str, Any]) -> dict[str, Any]:
    clean = {}
    for key, value in data.items():
        if not START_KEY.match(str(key)) or not isinstance(value, str | int | bool | None) or len(str(value)) > 200:
            raise InvalidStartData(f"開始データ {key} は受け付けられません")
        clean[key] = value
    return clean


def _apply_subject(instance: ProcessInstance, subject: Subject | None) -> None:
    if subject is None:
        return
    if subject.name:
        instance.subject_name = subject.name
    if subject.resident_id:
        instance.subject_resident_id = subject.resident_id
    if subject.registration_number:
        instance.subject_registration_number = subject.registration_number


def _status_of(workflow: BpmnWorkflow, run: _Run) -> str:
    if run.failure is not None or workflow.get_tasks(state=TaskState.ERROR):
        return InstanceStatus.ERROR
    if workflow.is_completed():
        return InstanceStatus.COMPLETED
    if any(is_human(t.task_spec) for t in workflow.get_tasks(state=TaskState.READY)):
        return InstanceStatus.RUNNING
    return InstanceStatus.WAITING


def _end_task(workflow: BpmnWorkflow):
    ends = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if isinstance(t.task_spec, EndEvent)]
    return ends[-1] if ends else None


def _end_event(workflow: BpmnWorkflow) -> str | None:
    end = _end_task(workflow)
    return end.task_spec.bpmn_id if end is not None else None
