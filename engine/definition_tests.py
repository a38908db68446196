"""Scenario test cases of a definition (the bpmn_tests JSON format), run through a WorkflowRunner.

A case document is {"process_id", "description", "cases": [case]}; a case names its applicant, the user tasks in
the order they must come up (each [task id, role, form data]) and what must hold at the end ("expect": status,
end_event, data paths). What an applicant is and what `$…` placeholders mean belongs to the domain: the caller
passes a CaseWorld that knows it. The result also lists the sequence flows each case took, for coverage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.catalog import SpecCache, restore_workflow
from engine.db import utcnow
from engine.errors import EngineError
from engine.models import ProcessDefinition, ProcessInstance
from engine.paths import sequence_flows, taken_flows
from engine.queries import instance_detail, open_tasks_of_instance
from engine.runtime import WorkflowRunner

__all__ = ["TIMERS_STEP", "CaseFailure", "CaseResult", "CaseWorld", "OpenTask", "Replay", "SuiteReport",
           "check_case_document", "replay_steps", "run_case", "run_suite"]


EXTERNAL_STARTS = ("events", "message")  # cases started by the resident register, run by bpmn_tests only
TIMERS_STEP = "$timers"


class CaseWorld(Protocol):
    """The domain side of a case: its applicant, its placeholders, and expectations on registry records."""

    def prepare(self, case: dict) -> dict[str, Any]: ...

    def resolve(self, value: Any, context: dict[str, Any]) -> Any: ...

    def check_records(self, session: Session, data: dict, expect: dict) -> None: ...


class CaseFailure(AssertionError):
    """A case did not go as written (raised inside run_case, reported in CaseResult.message)."""


@dataclass
class CaseResult:
    case_id: str
    name: str
    passed: bool
    message: str = ""
    skipped: bool = False
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
        return [r.case_id for r in self.results if not r.passed and not r.skipped]

    @property
    def ran(self) -> int:
        return sum(1 for r in self.results if not r.skipped)

    @property
    def uncovered(self) -> list[str]:
        return [f for f in self.flows if f not in self.covered]

    @property
    def passed(self) -> bool:
        return self.ran > 0 and not self.failed


def check_case_document(document: Any, process_id: str) -> list[str]:
    """What is wrong with a case document (empty when it can run)."""
    if not isinstance(document, dict) or not isinstance(document.get("cases"), list):
        return ["テストケースは {process_id, cases: [...]} の形式で指定してください"]
    problems = []
    if document.get("process_id") not in (None, process_id):
        problems.append(f"テストケースの process_id が {process_id} ではありません")
    for index, case in enumerate(document["cases"], 1):
        if not isinstance(case, dict) or not isinstance(case.get("id"), str) or not case.get("id"):
            problems.append(f"{index}番目のケースに id がありません")
        elif not isinstance(case.get("steps"), list) or not all(_is_step(s) for s in case["steps"]):
            problems.append(f"ケース {case['id']} の steps は [作業ID, 役割, データ] の並びにしてください")
    return problems


def _is_step(step: Any) -> bool:
    return isinstance(step, list) and len(step) == 3 and all(isinstance(s, str) for s in step[:2]) \
        and isinstance(step[2], dict)


def run_suite(runner: WorkflowRunner, process_id: str, document: dict, world: CaseWorld,
              bpmn_xml: str) -> SuiteReport:
    """Run every case of the document against the active version of `process_id`."""
    results = [run_case(runner, process_id, case, world) for case in document.get("cases", [])]
    covered = set().union(*(r.taken for r in results)) if results else set()
    return SuiteReport(results, [f.flow_id for f in sequence_flows(bpmn_xml)], covered)


def run_case(runner: WorkflowRunner, process_id: str, case: dict, world: CaseWorld) -> CaseResult:
    """Start the process, complete each step's task, check the expectations; never raises for a failed case."""
    result = CaseResult(case.get("id", "?"), case.get("name", ""), passed=False)
    if any(key in case for key in EXTERNAL_STARTS):
        result.skipped, result.message = True, "外部からの通知で始まるケースは画面では実行できません（bpmn_tests で実行）"
        return result
    context: dict[str, Any] = {}
    try:
        _drive(runner, process_id, case, world, context)
        result.data = _check_expectations(runner, world, context["instance_id"], case.get("expect", {}), context)
        result.passed = True
    except Exception as exc:  # noqa: BLE001 — a broken draft must show as a failed case, not a crash of the page
        result.message = _failure(exc)
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
    instance_id = context.get("instance_id")
    if instance_id is not None:
        with runner.session_factory() as session:
            instance = session.get(ProcessInstance, instance_id)
            replay.status, replay.end_event = instance.status, instance.end_event
            replay.open_tasks = [OpenTask(t.spec_name, t.title, t.lane, t.form_file)
                                 for t in open_tasks_of_instance(session, instance_id)]
        replay.taken = _taken(runner, instance_id)
    return replay


def _drive(runner: WorkflowRunner, process_id: str, case: dict, world: CaseWorld, context: dict) -> None:
    """Start the case's instance and complete its steps, filling `context` (applicant, instance_id) as it goes.

    A step ["$timers", "", {"days": N}] moves the clock N days on and fires every timer due by then.
    """
    context.update(world.prepare(case))
    outcome = runner.start(process_id, Actor("madoguchi", "madoguchi"), {"resident_id": context["applicant"]})
    context["instance_id"] = outcome.instance_id
    for number, (spec_name, role, data) in enumerate(case["steps"], 1):
        if spec_name == TIMERS_STEP:
            runner.fire_due_timers(now=utcnow() + timedelta(days=data.get("days", 0)), limit=1000)
            continue
        task_id = _expect_open_task(runner, outcome.instance_id, spec_name, number)
        runner.complete(task_id, Actor(role, role), world.resolve(data, context))


def _failure(exc: Exception) -> str:
    if isinstance(exc, CaseFailure | EngineError):
        return getattr(exc, "message", None) or str(exc)
    return f"{type(exc).__name__}: {exc}"


def _expect_open_task(runner: WorkflowRunner, instance_id: int, spec_name: str, number: int) -> int:
    with runner.session_factory() as session:
        tasks = open_tasks_of_instance(session, instance_id)
    names = [t.spec_name for t in tasks]
    if names != [spec_name]:
        raise CaseFailure(f"手順{number}: 作業 {spec_name} のはずが、開いている作業は {names or 'なし'}")
    return tasks[0].id


def _check_expectations(runner: WorkflowRunner, world: CaseWorld, instance_id: int, expect: dict,
                        context: dict) -> dict:
    with runner.session_factory() as session:
        instance = session.get(ProcessInstance, instance_id)
        wanted_status = expect.get("status", "completed")
        if instance.status != wanted_status:
            raise CaseFailure(f"状態が {instance.status}（期待 {wanted_status}）")
        if "end_event" in expect and instance.end_event != expect["end_event"]:
            raise CaseFailure(f"終了イベントが {instance.end_event}（期待 {expect['end_event']}）")
        data = instance_detail(session, runner.specs, instance.id).data
        world.check_records(session, data, expect)
    for path, wanted in expect.get("data", {}).items():
        actual = dig(data, path)
        if isinstance(wanted, str) and wanted.startswith("re:"):
            if not re.fullmatch(wanted[3:], str(actual)):
                raise CaseFailure(f"{path}={actual!r} が {wanted} に一致しません")
        elif actual != world.resolve(wanted, context):
            raise CaseFailure(f"{path}={actual!r}（期待 {wanted!r}）")
    return data


def dig(data: dict, path: str) -> Any:
    """data["a"]["b"] for "a.b"; None where a part is missing."""
    for part in path.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _taken(runner: WorkflowRunner, instance_id: int) -> set[str]:
    with runner.session_factory() as session:
        instance = session.get(ProcessInstance, instance_id)
        return taken_flows_of(session, runner.specs, instance)


def taken_flows_of(session: Session, specs: SpecCache, instance: ProcessInstance) -> set[str]:
    """The sequence flows an instance took so far."""
    definition = session.get(ProcessDefinition, instance.definition_id)
    workflow = restore_workflow(specs, definition, instance.state)
    return taken_flows(workflow, sequence_flows(definition.bpmn_xml))
