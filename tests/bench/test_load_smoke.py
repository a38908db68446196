"""bench/load.py in its short mode (3 clients × 10 s on PostgreSQL, 2 web processes, 2 workers): whole
registrations and certificates through the API end with no 5xx, no lost and no duplicated registration, numbers
unique, gapless and with valid check digits, no orphan, and the audit check clean during and after the load."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from conftest import PG_ADMIN_URL, PG_REQUIRED

LOAD = Path(__file__).resolve().parents[2] / "bench" / "load.py"


@pytest.fixture(scope="module")
def postgresql() -> None:
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001
        if PG_REQUIRED:
            pytest.fail(f"PostgreSQL is required (INKAN_TEST_POSTGRES=required) but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")


@pytest.mark.slow
def test_short_load_run_finds_no_5xx_and_loses_nothing(postgresql):
    done = subprocess.run([sys.executable, str(LOAD), "--clients", "3", "--seconds", "10", "--grace", "40",
                           "--verify-every", "10", "--json"], capture_output=True, text=True, timeout=400, check=False)
    assert done.stdout.strip(), done.stderr[-3000:]
    report = json.loads(done.stdout)
    verdict, why = report["verdict"], {key: report[key] for key in (
        "verdict", "server_errors", "tracebacks", "flows", "oddities", "registration_check", "audit_verify")}
    assert (verdict["5xx"], verdict["lost"], verdict["duplicated"]) == (0, 0, 0), why
    assert verdict["ok"] and done.returncode == 0, why
    assert report["registrations_completed"] >= 1 and report["certificates_issued"] >= 1, report["flows"]
    numbers = report["numbers"]
    assert numbers["numbers"] == numbers["last_serial"] >= report["registrations_completed"] + 2  # + the demo's
    assert report["registration_check"]["reached_4_1_2_1"] == numbers["numbers"]
    assert report["audit_verify"]["final"]["ok"] and report["audit_verify"]["final"]["output"].count("正常") == 3
    assert report["server_log"]["requests"] >= report["requests"]  # every request left its JSON line
    kinds = report["latency_ms"]
    assert {"POST /instances", "POST /blobs", "POST /tasks/{id}/complete", "GET /tasks/{id}"} <= set(kinds)
    assert all(0 < v["p50"] <= v["p95"] for v in kinds.values())
