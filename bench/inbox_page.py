"""Figure: the inbox page (50 rows) with 10,000 open tasks and 100,000 finished instances in the database.

Measures the engine query alone and the whole HTTP page (login session, query, template) on SQLite and PostgreSQL,
then the page with the clerk's sorts and filters (issue 15.3: due date — every tenth open task has one — case age,
flow, step).
Run: .venv/bin/python bench/inbox_page.py [--open 10000 --finished 100000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from bench.common import describe, fresh_database, timed  # noqa: E402
from engine.library.catalog import deploy_directory  # noqa: E402
from engine.models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance  # noqa: E402
from engine.runtime.queries import inbox  # noqa: E402
from registry.staff import accounts  # noqa: E402
from webui import create_app  # noqa: E402

CHUNK = 5000
FILTERED = (("sorted by due date", "sort=due"), ("due within 7 days", "due=week"),
            ("oldest cases first", "sort=age&order=asc"), ("one flow and step, 30+ days old",
                                                            "flow=sokuji_touroku&step=task_identify&age=30"))
LANES = ("窓口", "バックヤード")


def fill(product, n_open: int, n_finished: int) -> None:
    """Bulk rows shaped like real ones: finished instances with their tasks and events, open ones with a task."""
    with product.session_factory.begin() as session:
        deploy_directory(session, product.bpmn_dir, product.handlers, actor="bench")
        accounts.add_user(session, "bench", "madoguchi", "bench-password")
        definition_id = session.scalar(select(ProcessDefinition.id).limit(1))
    base = datetime(2026, 1, 1)
    total = n_finished + n_open
    next_id = 1
    while next_id <= total:
        ids = range(next_id, min(next_id + CHUNK, total + 1))
        instances, tasks, events = [], [], []
        for i in ids:
            finished = i <= n_finished
            at = base + timedelta(minutes=i)
            instances.append({"id": i, "definition_id": definition_id, "process_id": "sokuji_touroku",
                              "status": "completed" if finished else "running", "state": "{}", "version": 1,
                              "started_by": "bench", "started_at": at, "updated_at": at,
                              "subject_name": f"見本　太郎{i}", "subject_resident_id": f"{i:011d}",
                              "subject_registration_number": f"{i:08d}"})
            tasks.append({"instance_id": i, "task_guid": f"00000000-0000-0000-0000-{i:012d}",
                          "spec_name": "task_identify", "title": "2.1.3 基本検索（申請者の特定）",
                          "lane": LANES[i % 2], "form_file": "sokuji_touroku.identify.json",
                          "is_open": not finished, "created_at": at, "case_started_at": at,
                          "due_at": at + timedelta(days=30) if i % 10 == 0 else None})
            events.append({"at": at, "actor": "bench", "actor_role": "madoguchi", "kind": "start",
                           "instance_id": i, "summary_json": "{}"})
        with product.session_factory.begin() as session:
            session.execute(insert(ProcessInstance), instances)
            session.execute(insert(HumanTask), tasks)
            session.execute(insert(AuditEvent), events)
        next_id = ids[-1] + 1
    bind = product.session_factory.kw["bind"]
    if bind.dialect.name == "postgresql":
        with bind.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()


def measure(kind: str, n_open: int, n_finished: int, repeat: int) -> dict:
    with fresh_database(kind) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789",
                          "WTF_CSRF_ENABLED": False, "IN_PROCESS_WORKER": False})
        product = app.extensions["inkan"]
        fill(product, n_open, n_finished)

        def query():
            with product.session_factory() as session:
                page = inbox(session, "窓口", page=1, per_page=50)
                assert len(page.rows) == 50 and page.total == n_open // 2

        client = app.test_client()
        assert client.post("/login", data={"username": "bench", "password": "bench-password"}).status_code == 302

        def page():
            response = client.get("/?lane=窓口")
            assert response.status_code == 200 and "見本　太郎" in response.get_data(as_text=True)

        timed(query, 5), timed(page, 5)  # warm-up
        q, p = timed(query, repeat), timed(page, repeat)
        print(describe(f"inbox query (50 of {n_open // 2} open, {kind})", q))
        print(describe(f"inbox HTTP page (login session + template, {kind})", p))
        results = {f"{kind}_query_ms": statistics.median(q), f"{kind}_page_ms": statistics.median(p)}
        for label, query_string in FILTERED:
            def filtered(query_string=query_string):
                assert client.get(f"/?lane=窓口&{query_string}").status_code == 200

            timed(filtered, 3)
            f = timed(filtered, repeat)
            print(describe(f"inbox HTTP page, {label} ({kind})", f))
            results[f"{kind}_{query_string}_ms"] = statistics.median(f)
        return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--finished", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    results = {}
    for kind in ("sqlite", "postgresql"):
        results |= measure(kind, args.open, args.finished, args.repeat)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
