"""Long instances: the cost of a task completion as a two-task loop goes round, and the stored state's size.

A loop instance (tests/engine/data/loop.bpmn: 入力 → 確認 → again?) is driven N times round on a fresh SQLite
database through the real runner; the completion time and the state's size are printed at chosen iterations, with
the ratio of the last to the first. The instance must end at its end event.

    .venv/bin/python bench/long_instances.py [--iterations 1000] [--kind sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database  # noqa: E402
from engine.actor import Actor  # noqa: E402
from engine.library.catalog import deploy  # noqa: E402
from engine.library.definitions import parse_definition, read_definition_files  # noqa: E402
from engine.models import ProcessInstance  # noqa: E402
from engine.runtime.queries import open_tasks_of_instance  # noqa: E402
from webui import create_app  # noqa: E402

LOOP = ROOT / "tests" / "engine" / "data" / "loop.bpmn"
CLERK = Actor("madoguchi", "madoguchi")
CHECKPOINTS = (1, 2, 10, 50, 100, 200, 250, 300, 500, 750, 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--kind", default="sqlite", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    with fresh_database(args.kind) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" * 8, "IN_PROCESS_WORKER": False})
        product = app.extensions["inkan"]
        xml, forms = read_definition_files(LOOP)
        with product.session_factory.begin() as session:
            deploy(session, parse_definition(xml, forms, product.handlers), actor="bench", source="loop.bpmn")
        runner = product.runner
        outcome = runner.start("loop", CLERK, {})
        rows, first = [], None
        for iteration in range(1, args.iterations + 1):
            last = iteration == args.iterations
            timings = []
            for data in ({"amount": 0 if last else 1}, {"ok": True}):
                task_id = outcome.next_task_id or _open_task(product, outcome.instance_id)
                if task_id is None:
                    break
                start = time.perf_counter()
                outcome = runner.complete(task_id, CLERK, data)
                timings.append((time.perf_counter() - start) * 1000)
            if len(timings) < 2:
                print(f"iteration {iteration}: no open task (status {outcome.status}) — the loop stopped")
                break
            per_task = statistics.mean(timings)
            first = first or per_task
            if iteration in CHECKPOINTS or last:
                rows.append((iteration, per_task, _state_size(product, outcome.instance_id)))
        with product.session_factory() as session:
            instance = session.get(ProcessInstance, outcome.instance_id)
            ended = (instance.status, instance.end_event)
        product.session_factory.kw["bind"].dispose()
    print(f"{args.kind}: a two-task loop, {args.iterations} iterations ({2 * args.iterations} completions)")
    print(f"{'iteration':>10} {'ms per completion':>18} {'× first':>8} {'state bytes':>12}")
    for iteration, per_task, size in rows:
        print(f"{iteration:>10} {per_task:>18.2f} {per_task / first:>8.2f} {size:>12,}")
    print(f"ended: status={ended[0]} end_event={ended[1]}")


def _open_task(product, instance_id: int) -> int | None:
    with product.session_factory() as session:
        tasks = open_tasks_of_instance(session, instance_id)
        return tasks[0].id if tasks else None


def _state_size(product, instance_id: int) -> int:
    with product.session_factory() as session:
        return len(session.get(ProcessInstance, instance_id).state.encode("utf-8"))


if __name__ == "__main__":
    main()
