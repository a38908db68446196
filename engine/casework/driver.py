"""Run the cases of a definition (engine.casework.document) through a WorkflowRunner: the one interpreter that
bpmn_tests, the modeler's test runner and the deploy gate all call.

The driver owns what is generic: the user tasks in the order written, the clock (`$timers`), the instance's
status, end event and data at the end, and the sequence flows each case took. What a case means in the domain —
who applies, how the instance starts, what `$…` placeholders stand for, further `$…` steps and checks on records —
is the CaseWorld's (for this product: handlers.casework.world.RegistryWorld).
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.casework.document import TIMERS_STEP
from engine.db import utcnow
from engine.errors import EngineError
from engine.library.catalog import restore_workflow
from engine.library.definitions import element_names
from engine.library.paths import sequence_flows, taken_flows
from engine.models import Incident, ProcessDefinition, ProcessInstance
from engine.runtime.queries import instance_detail, open_tasks_of_instance
from engine.runtime.runner import WorkflowRunner

__all__ = ["CaseFailure", "CaseResult", "CaseWorld", "OpenTask", "Replay", "SuiteReport", "dig", "replay_steps",
           "run_case", "run_suite"]

TIMER_LIMIT = 1000  # timers fired by one `$timers` step
# A case's verdict is read by managers: statuses in words, elements by their names (engine.models.InstanceStatus)
STATUS_WORDS = {"running": "実行中", "waiting": "待機中", "completed": "完了", "error": "エラー",
                "suspended": "中断", "terminated": "終了"}


class CaseWorld(Protocol):
    """The domain side of a case. `context` is the case's own dict: what `prepare` put there, plus "instance_id"
    (the instance under test) once it started. Every method raises CaseFailure (or any error) to fail the case."""

    def prepare(self, case: dict) -> dict[str, Any]:
        """The case's context before it starts: its applicant, set-ups done."""
        ...

    def start(self, process_id: str, case: dict, context: dict[str, Any]) -> int:
        """Start the instance under test (a plain start, a message, a change in another system); its id."""
        ...

    def perform(self, step: str, data: dict, context: dict[str, Any]) -> None:
        """A `$…` step of the world's, between two tasks."""
        ...

    def resolve(self, value: Any, context: dict[str, Any]) -> Any:
        """`value` with the world's placeholders filled in."""
        ...

    def check_records(self, data: dict, expect: dict, context: dict[str, Any]) -> None:
        """The world's expectations (`expect` keys beyond status, end_event and data) against the final data."""
        ...


class CaseFailure(AssertionError):
    """A case did not go as written (raised while it runs, reported in CaseResult.message)."""


@dataclass
class CaseResult:
    case_id: str
    name: str
    passed: bool
    message: str = ""
    trace: str = ""  # the traceback of an unexpected error, for developers (never shown to managers)
    instance_id: int | None = None
    taken: set[str] = field(default_factory=set)
    data: dict = field(default_factory=dict)


@dataclass
class OpenTask:
    spec_name: str
    title: str
    lane: str
    form_file: str | None


@dataclass
class Replay:
    """Where a recorded path stands: the tasks now open, or how the instance ended."""

    status: str = ""
    end_event: str | None = None
    open_tasks: list[OpenTask] = field(default_factory=list)
    message: str = ""
    taken: set[str] = field(default_factory=set)


@dataclass
class SuiteReport:
    results: list[CaseResult]
    flows: list[str]
    covered: set[str]

    @property
    def failed(self) -> list[str]:
        return [r.case_id for r in self.results if not r.passed]

    @property
    def ran(self) -> int:
        return len(self.results)

    @property
    def uncovered(self) -> list[str]:
        return [f for f in self.flows if f not in self.covered]

    @property
    def passed(self) -> bool:
        return self.ran > 0 and not self.failed


def run_suite(runner: WorkflowRunner, process_id: str, document: dict, world: CaseWorld,
              bpmn_xml: str) -> SuiteReport:
    """Run every case of the document against the active version of `process_id`."""
    results = [run_case(runner, process_id, case, world) for case in document.get("cases", [])]
    covered = set().union(*(r.taken for r in results)) if results else set()
    return SuiteReport(results, [f.flow_id for f in sequence_flows(bpmn_xml)], covered)


def run_case(runner: WorkflowRunner, process_id: str, case: dict, world: CaseWorld) -> CaseResult:
    """Start the case's instance, complete each step's task, check the expectations; never raises for a failed
    case (its message says what went wrong)."""
    result = CaseResult(case.get("id", "?"), case.get("name", ""), passed=False)
    context: dict[str, Any] = {}
    try:
        _drive(runner, process_id, case, world, context)
        result.data = _check_expectations(runner, world, context["instance_id"], case.get("expect", {}), context)
        result.passed = True
    except Exception as exc:  # noqa: BLE001 — a broken draft must show as a failed case, not a crash of the page
        result.message = _failure(exc)
        if not _explained(exc):
            result.trace = traceback.format_exc()
    finally:
        _finish(world, context)
    result.instance_id = context.get("instance_id")
    if result.instance_id is not None:
        result.taken = _taken(runner, result.instance_id)
    return result


def replay_steps(runner: WorkflowRunner, process_id: str, case: dict, world: CaseWorld) -> Replay:
    """Run the steps recorded so far (for the recorder); report the open tasks or the end reached."""
    replay = Replay()
    context: dict[str, Any] = {}
    try:
        _drive(runner, process_id, case, world, context)
    except Exception as exc:  # noqa: BLE001 — shown to the manager recording the path
        replay.message = _failure(exc)
    finally:
        _finish(world, context)
    instance_id = context.get("instance_id")
    if instance_id is not None:
        with runner.session_factory() as session:
            instance = session.get_one(ProcessInstance, instance_id)
            replay.status, replay.end_event = instance.status, instance.end_event
            replay.open_tasks = [OpenTask(t.spec_name, t.title, t.lane, t.form_file)
                                 for t in open_tasks_of_instance(session, instance_id)]
        replay.taken = _taken(runner, instance_id)
    return replay


def _finish(world: CaseWorld, context: dict) -> None:
    """Let the world undo what a case set for itself alone (e.g. a setting), whether the case passed or not."""
    finish = getattr(world, "finish", None)
    if finish is not None:
        finish(context)


def _drive(runner: WorkflowRunner, process_id: str, case: dict, world: CaseWorld, context: dict) -> None:
    """Start the case's instance and run its steps, filling `context` as it goes."""
    context.update(world.prepare(case))
    context["instance_id"] = world.start(process_id, case, context)
    for number, (step, role, data) in enumerate(case.get("steps", []), 1):
        if step == TIMERS_STEP:
            runner.fire_due_timers(now=utcnow() + timedelta(days=data.get("days", 0)), limit=TIMER_LIMIT)
        elif step.startswith("$"):
            world.perform(step, data, context)
        else:
            task_id = _expect_open_task(runner, context["instance_id"], step, number)
            runner.complete(task_id, Actor(role, role), world.resolve(data, context))


def _failure(exc: Exception) -> str:
    """What a manager reads: the message of an error that explains itself, else the error's type and text."""
    if _explained(exc):
        return getattr(exc, "message", None) or str(exc)
    return f"{type(exc).__name__}: {exc}"


def _explained(exc: Exception) -> bool:
    """A failed expectation (AssertionError: the driver's and the world's) or an error carrying a message for
    people (the engine's, the handlers', the registry's `.message`), as opposed to a bug."""
    return isinstance(exc, AssertionError | EngineError) or isinstance(getattr(exc, "message", None), str)


def _expect_open_task(runner: WorkflowRunner, instance_id: int, spec_name: str, number: int) -> int:
    with runner.session_factory() as session:
        tasks = open_tasks_of_instance(session, instance_id)
        status = session.get_one(ProcessInstance, instance_id).status
    if [t.spec_name for t in tasks] != [spec_name]:
        names = _element_names(runner, instance_id)
        open_ones = "、".join(f"「{t.title or names.get(t.spec_name, t.spec_name)}」" for t in tasks) or "なし"
        raise CaseFailure(f"手順{number}: 作業「{names.get(spec_name, spec_name)}」のはずが、開いている作業は "
                          f"{open_ones}（事案の状態: {_status_word(status)}）")
    return tasks[0].id


def _status_word(status: str | None) -> str:
    return STATUS_WORDS.get(status or "", status or "なし")


def _element_names(runner: WorkflowRunner, instance_id: int) -> dict[str, str]:
    """Element id → name in the instance's definition (an unnamed element keeps its id)."""
    with runner.session_factory() as session:
        instance = session.get_one(ProcessInstance, instance_id)
        definition = session.get_one(ProcessDefinition, instance.definition_id)
        return element_names(definition.bpmn_xml)


def _check_expectations(runner: WorkflowRunner, world: CaseWorld, instance_id: int, expect: dict,
                        context: dict) -> dict:
    with runner.session_factory() as session:
        instance = session.get_one(ProcessInstance, instance_id)
        wanted_status = expect.get("status", "completed")
        names = element_names(session.get_one(ProcessDefinition, instance.definition_id).bpmn_xml)
        if instance.status != wanted_status:
            raise CaseFailure(f"事案の状態が「{_status_word(instance.status)}」（期待「{_status_word(wanted_status)}」）"
                              f"{_incident_note(session, instance_id, names)}")
        if "end_event" in expect and instance.end_event != expect["end_event"]:
            ended, wanted = (names.get(e, e) if e else "なし" for e in (instance.end_event, expect["end_event"]))
            raise CaseFailure(f"終了イベントが「{ended}」（期待「{wanted}」）")
        data = instance_detail(session, runner.specs, instance.id).data
    world.check_records(data, expect, context)
    for path, wanted in expect.get("data", {}).items():
        actual = dig(data, path)
        if isinstance(wanted, str) and wanted.startswith("re:"):
            if not re.fullmatch(wanted[3:], str(actual)):
                raise CaseFailure(f"{path}={actual!r} が {wanted} に一致しません")
        elif actual != world.resolve(wanted, context):
            raise CaseFailure(f"{path}={actual!r}（期待 {wanted!r}）")
    return data


def _incident_note(session: Session, instance_id: int, names: dict[str, str]) -> str:
    """The open incident's task and message, which says why an instance stopped."""
    incident = session.scalars(select(Incident).where(Incident.instance_id == instance_id,
                                                      Incident.resolved_at.is_(None))
                               .order_by(Incident.id.desc())).first()
    if incident is None:
        return ""
    return f": 「{names.get(incident.spec_name, incident.spec_name)}」で {incident.message}"


def dig(data: dict, path: str) -> Any:
    """data["a"]["b"] for "a.b"; None where a part is missing."""
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _taken(runner: WorkflowRunner, instance_id: int) -> set[str]:
    with runner.session_factory() as session:
        instance = session.get_one(ProcessInstance, instance_id)
        definition = session.get_one(ProcessDefinition, instance.definition_id)
        workflow = restore_workflow(runner.specs, definition, instance.state)
        return taken_flows(workflow, sequence_flows(definition.bpmn_xml))
