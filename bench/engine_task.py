"""Figure: complete one user task through the engine with persistence, against bare SpiffWorkflow in memory.

One completion = lock the inbox row, load the instance state, validate the form, run the task and the service
task after it through the handler registry, save the state, update inbox rows, write audit events, commit.
Run: .venv/bin/python bench/engine_task.py [--n 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from bench.common import describe, fresh_database, timed  # noqa: E402
from engine.actor import Actor  # noqa: E402
from engine.database import connect  # noqa: E402
from engine.library.catalog import SpecCache, deploy  # noqa: E402
from engine.library.definitions import parse_definition, read_definition_files  # noqa: E402
from engine.library.script_engine import InkanScriptEngine  # noqa: E402
from engine.runtime.runner import WorkflowRunner  # noqa: E402
from handlers import HandlerRegistry, ServiceContext  # noqa: E402

MINI = Path(__file__).resolve().parent.parent / "tests" / "engine" / "data" / "mini.bpmn"
COUNTER = Actor("bench", "madoguchi")


def handlers() -> HandlerRegistry:
    registry = HandlerRegistry()
    registry.register("test.flaky", function_id="bench", title="bench")(lambda ctx, amount: {"doubled": amount * 2})
    return registry


def engine_samples(url: str, n: int) -> list[float]:
    registry = handlers()
    sessions = connect(url)
    runner = WorkflowRunner(sessions, registry, SpecCache(), lambda **kw: ServiceContext(services=None, **kw))
    xml, forms = read_definition_files(MINI)
    with sessions.begin() as session:
        deploy(session, parse_definition(xml, forms, registry), actor="bench", source="mini.bpmn")
    task_ids = [runner.start("mini", COUNTER).next_task_id for _ in range(n + 10)]
    for task_id in task_ids[:10]:  # warm-up: caches, connections
        runner.complete(task_id, COUNTER, {"amount": 1})
    pending = iter(task_ids[10:])
    return timed(lambda: runner.complete(next(pending), COUNTER, {"amount": 3}), n)


def bare_samples(n: int) -> list[float]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(MINI))
    spec = parser.get_spec("mini")

    def call(task, operator, params):
        return {"doubled": params["amount"] * 2}

    workflows = []
    for _ in range(n):
        workflow = BpmnWorkflow(spec, script_engine=InkanScriptEngine(call))
        workflow.do_engine_steps()
        workflows.append(workflow)
    pending = iter(workflows)

    def complete():
        workflow = next(pending)
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.data.update({"amount": 3})
        task.run()
        workflow.do_engine_steps()

    return timed(complete, n)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    bare = bare_samples(args.n)
    print(describe("bare SpiffWorkflow, in memory (no persistence)", bare))
    results = {"bare_ms": statistics.median(bare)}
    for kind in ("sqlite", "postgresql"):
        with fresh_database(kind) as url:
            samples = engine_samples(url, args.n)
        print(describe(f"engine complete() with persistence on {kind}", samples))
        results[f"{kind}_ms"] = statistics.median(samples)
    for kind in ("sqlite", "postgresql"):
        print(f"ratio engine/bare on {kind}: {results[f'{kind}_ms'] / results['bare_ms']:.1f}×")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
