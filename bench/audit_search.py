"""Figures of issue 8 on PostgreSQL: instance search (first page), the instance view, and `inkan audit verify`.

Builds the dedicated database `inkan_bench_audit` (dropped at the end): the demo population, real 4.1.2
registrations made through the engine (the instances that are viewed), then N synthetic instances with two inbox
rows each (INSERT … SELECT generate_series) and 10 × N hash-chained audit events (computed here, sent with COPY
while the table's indexes are off). Then it times:
  - the 事案検索 page's first page (HTTP, signed in as an auditor) for typical criteria, and the engine query alone;
  - the instance page of a real registration (HTTP: diagram data, timeline, step data, access log write);
  - `inkan audit verify` as a subprocess (every chain, every row).
Run: .venv/bin/python bench/audit_search.py [--instances 1000000 --events-per-instance 10] [--keep]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, select, text  # noqa: E402

from bench.common import PG_ADMIN, describe, timed  # noqa: E402
from engine.evidence.chain import link_hash  # noqa: E402
from engine.evidence.search import InstanceQuery, search_instances  # noqa: E402
from engine.library.catalog import deploy_directory  # noqa: E402
from engine.models import ProcessDefinition  # noqa: E402
from juki import seed_population  # noqa: E402
from registry.staff import accounts  # noqa: E402
from webui import create_app  # noqa: E402
from webui.audit.chains import AUDIT_CHAIN  # noqa: E402

NAME = "inkan_bench_audit"
URL = PG_ADMIN.rsplit("/", 1)[0] + f"/{NAME}"
PASSWORD = "bench-password-1"
CLERKS = [f"clerk{n:02d}" for n in range(20)]
KINDS = ("start", "claim", "complete", "service_call", "complete", "claim", "complete", "service_call",
         "service_call", "complete")
AUDIT_INDEXES = ("ix_audit_event_actor", "ix_audit_event_at", "ix_audit_event_instance_at",
                 "ix_audit_event_instance_id", "ix_audit_event_chain_seq")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def create_database() -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{NAME}"'))
    admin.dispose()


def drop_database() -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))
    admin.dispose()


def real_registrations(app, count: int) -> list[int]:
    """Registrations through the real engine and handlers: the instances whose page is timed."""
    from tests.support.flow import RegistrationDriver

    product = app.extensions["inkan"]
    with product.session_factory.begin() as session:
        deploy_directory(session, product.bpmn_dir, product.handlers, actor="bench")
        seed_population(session, today=product.services.today())
        accounts.add_user(session, "bench-auditor", "auditor", PASSWORD)
    driver = RegistrationDriver(product)
    return [driver.register().instance_id for _ in range(count)]


def synthetic_instances(engine, n: int) -> None:
    """n instances over a year with two inbox rows each; one in 20 still open, one in 500 with an open incident."""
    with engine.begin() as conn:
        definition_id = conn.execute(select(ProcessDefinition.id).where(
            ProcessDefinition.process_id == "sokuji_touroku")).scalar()
        conn.execute(text("""
            INSERT INTO process_instance (definition_id, process_id, status, state, version, started_by, started_at,
                                          updated_at, ended_at, subject_name, subject_resident_id,
                                          subject_registration_number, end_event)
            SELECT :d, 'sokuji_touroku',
                   CASE WHEN g % 20 = 0 THEN 'running' WHEN g % 500 = 1 THEN 'error' ELSE 'completed' END,
                   '', 1, 'clerk' || lpad((g % 20)::text, 2, '0'),
                   timestamp '2025-11-01' + (g * interval '31 seconds'),
                   timestamp '2025-11-01' + (g * interval '31 seconds') + interval '40 minutes',
                   CASE WHEN g % 20 = 0 THEN NULL ELSE timestamp '2025-11-01' + (g * interval '31 seconds')
                        + interval '40 minutes' END,
                   '見本　太郎' || g, 'S' || lpad(g::text, 10, '0'), lpad((50000000 + g)::text, 8, '0'),
                   CASE WHEN g % 20 = 0 OR g % 500 = 1 THEN NULL ELSE 'end_registered' END
            FROM generate_series(1, :n) AS g"""), {"d": definition_id, "n": n})
        conn.execute(text("""
            INSERT INTO human_task (instance_id, task_guid, spec_name, title, lane, form_file, is_open, created_at,
                                    claimed_by, completed_by, completed_at)
            SELECT p.id, md5(p.id::text || '-' || t), CASE t WHEN 0 THEN 'task_identify' ELSE 'task_scan' END,
                   CASE t WHEN 0 THEN '本人確認' ELSE '印影の読込' END,
                   CASE t WHEN 0 THEN '窓口' ELSE 'バックヤード' END, NULL,
                   p.status = 'running' AND t = 1, p.started_at + t * interval '10 minutes',
                   NULL, CASE WHEN p.status = 'running' AND t = 1 THEN NULL
                              ELSE 'clerk' || lpad(((p.id + t * 7) % 20)::text, 2, '0') END,
                   CASE WHEN p.status = 'running' AND t = 1 THEN NULL
                        ELSE p.started_at + t * interval '10 minutes' + interval '6 minutes' END
            FROM process_instance p CROSS JOIN generate_series(0, 1) AS t
            WHERE p.subject_resident_id LIKE 'S%'"""))
        conn.execute(text("""
            INSERT INTO incident (instance_id, task_guid, spec_name, operator_id, error_type, error_code, message,
                                  traceback, created_at)
            SELECT id, md5(id::text), 'svc_measure', 'inkan.impression.measure', 'HandlerError', 'scan_unreadable',
                   '印影を読み取れません', '', started_at FROM process_instance WHERE status = 'error'"""))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("process_instance", "human_task", "incident"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))


def chained_events(engine, per_instance: int) -> int:
    """10 audit events per synthetic instance, hash-chained after the real ones, sent with COPY."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        assert AUDIT_CHAIN.fields[:2] == ("at", "actor")  # the order the values below are hashed in
        cur.execute("SELECT last_seq, last_hash FROM chain_head WHERE name = 'audit_event'")
        seq, last = cur.fetchone()
        cur.execute("SELECT id, started_at, started_by FROM process_instance WHERE subject_resident_id LIKE 'S%' "
                    "ORDER BY id")
        instances = cur.fetchall()
        cur.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        for index in AUDIT_INDEXES:
            cur.execute(f"DROP INDEX {index}")
        written = 0
        with cur.copy("COPY audit_event (at, actor, actor_role, kind, instance_id, spec_name, title, summary_json,"
                      " chain_seq, row_hash) FROM STDIN") as copy:
            for instance_id, started, clerk in instances:
                for step in range(per_instance):
                    at = started + timedelta(seconds=step * 70)
                    kind = KINDS[step % len(KINDS)]
                    values = [at, clerk, "madoguchi", kind, instance_id, f"step_{step}", "見本の作業",
                              '{"changes": {}}']
                    seq += 1
                    last = link_hash(last, [seq, *values])
                    copy.write_row((*values, seq, last))
                    written += 1
        cur.execute("UPDATE chain_head SET last_seq = %s, last_hash = %s WHERE name = 'audit_event'", (seq, last))
        raw.commit()
        log(f"  {written:,} events copied; building indexes")
        cur.execute("CREATE INDEX ix_audit_event_actor ON audit_event (actor)")
        cur.execute("CREATE INDEX ix_audit_event_at ON audit_event (at)")
        cur.execute("CREATE INDEX ix_audit_event_instance_at ON audit_event (instance_id, at)")
        cur.execute("CREATE INDEX ix_audit_event_instance_id ON audit_event (instance_id)")
        cur.execute("CREATE UNIQUE INDEX ix_audit_event_chain_seq ON audit_event (chain_seq)")
        cur.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
        raw.commit()
        raw.driver_connection.autocommit = True
        raw.driver_connection.execute("VACUUM ANALYZE audit_event")
        return written
    finally:
        raw.close()


SEARCHES = {
    "no criteria (newest first)": {},
    "status = completed": {"status": "completed"},
    "flow = sokuji_touroku, sort by updated": {"process_id": "sokuji_touroku", "sort": "updated"},
    "date range (one week)": {"from": "2026-03-01", "to": "2026-03-07"},
    "clerk = clerk07": {"clerk": "clerk07"},
    "lane = バックヤード (open task)": {"lane": "バックヤード"},
    "incident = open": {"incident": "open"},
    "registration number": {"number": "50400000"},
    "resident id": {"resident_id": "S0000123456"},
    "status = running, oldest first": {"status": "running", "order": "asc"},
}


def time_searches(app, repeat: int) -> list[float]:
    client = signed_in(app)
    medians = []
    for label, args in SEARCHES.items():
        client.get("/instances", query_string=args)  # warm
        samples = timed(lambda a=args: _ok(client.get("/instances", query_string=a)), repeat)
        medians.append(statistics.median(samples))
        print(describe(f"search page: {label}", samples))
    product = app.extensions["inkan"]
    with product.session_factory() as session:
        samples = timed(lambda: search_instances(session, InstanceQuery()), repeat)
    print(describe("search engine query alone: no criteria", samples))
    return medians


def time_instance_view(app, instance_ids: list[int], repeat: int) -> list[float]:
    client = signed_in(app)
    samples = []
    for instance_id in instance_ids:
        client.get(f"/instances/{instance_id}")
        samples += timed(lambda i=instance_id: _ok(client.get(f"/instances/{i}")), repeat)
    print(describe("instance page of a real registration (HTTP)", samples))
    return samples


def signed_in(app):
    client = app.test_client()
    assert client.post("/login", data={"username": "bench-auditor", "password": PASSWORD}).status_code == 302
    assert client.post("/audit/purpose", data={"purpose": "audit"}).status_code == 302
    return client


def _ok(response):
    assert response.status_code == 200, response.status_code
    return response


def time_verify() -> tuple[float, str]:
    env = os.environ | {"INKAN_DATABASE_URL": URL, "INKAN_SECRET_KEY": "bench-secret-key-0123456789",
                        "INKAN_IN_PROCESS_WORKER": "false"}
    start = time.perf_counter()
    result = subprocess.run([str(Path(sys.executable).with_name("inkan")), "audit", "verify"], env=env,
                            capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    return seconds, (result.stdout + result.stderr).strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=1_000_000)
    parser.add_argument("--events-per-instance", type=int, default=10)
    parser.add_argument("--real", type=int, default=3, help="real registrations to view")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    create_database()
    try:
        from webui.schema import upgrade

        upgrade(URL)
        app = create_app({"DATABASE_URL": URL, "SECRET_KEY": "bench-secret-key-0123456789", "TESTING": True,
                          "WTF_CSRF_ENABLED": False, "IN_PROCESS_WORKER": False})
        log("real registrations through the engine")
        real_ids = real_registrations(app, args.real)
        engine = create_engine(URL)
        log(f"{args.instances:,} synthetic instances with their inbox rows")
        synthetic_instances(engine, args.instances)
        log(f"{args.instances * args.events_per_instance:,} chained audit events")
        total = chained_events(engine, args.events_per_instance)
        with engine.connect() as conn:
            instances = conn.execute(text("SELECT count(*) FROM process_instance")).scalar()
            events = conn.execute(text("SELECT count(*) FROM audit_event")).scalar()
        log(f"database ready: {instances:,} instances, {events:,} audit events ({total:,} synthetic)")
        print(f"PostgreSQL, {instances:,} instances, {events:,} audit events")
        searches = time_searches(app, args.repeat)
        print(f"search first page: median of the criteria medians {statistics.median(searches):.1f} ms, "
              f"worst criterion {max(searches):.1f} ms (target ≤ 100 ms)")
        views = time_instance_view(app, real_ids, args.repeat)
        print(f"instance view: median {statistics.median(views):.1f} ms (target ≤ 200 ms)")
        seconds, output = time_verify()
        print(f"inkan audit verify over {events:,} events: {seconds:.1f} s (target ≤ 120 s)")
        print(output)
    finally:
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
