"""Every shipped flow is editable (issue 14): for each bpmn/*.bpmn, a draft opened from the active version runs ALL
its shipped cases in the modeler's test runner — none failing, every sequence flow taken — and deploys, all through
the API. Parametrised over the files in bpmn/, so a flow added later is walked by construction."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from engine.casework import run_suite, shipped_document
from engine.library import catalog
from engine.library.definitions import parse_definition, read_definition_files
from tests.webui.api_contract import BASE, assert_matches_openapi
from webui.config import load_config
from webui.library import sandbox
from webui.library.sandbox import run_draft_cases

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
CLOSED_PORT = "http://127.0.0.1:9"  # nothing listens on the discard port


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(BPMN.glob("*.bpmn")), ids=lambda path: path.name)
def test_a_draft_of_the_active_version_passes_every_shipped_case_and_deploys(app, api_token, product, path):
    process_id = parse_definition(*read_definition_files(path), product.handlers).process_id
    shipped = shipped_document(product.bpmn_dir, process_id)
    assert shipped["cases"], f"{path.name} has no cases in bpmn_tests/cases/{process_id}.json"
    client, manager = app.test_client(), api_token("manager")
    with product.session_factory() as session:
        active = catalog.active_definition(session, process_id)

    opened = client.post(f"{BASE}/definitions/versions/{active.id}/drafts", headers=manager)
    assert opened.status_code == 201, opened.get_data(as_text=True)[:300]
    draft = assert_matches_openapi(opened, "/definitions/versions/{definition_id}/drafts", "POST")
    assert draft["cases"] == shipped and draft["problems"] == []

    tested = client.post(f"{BASE}/definitions/drafts/{draft['id']}/test", headers=manager)
    assert tested.status_code == 200, tested.get_data(as_text=True)[:300]
    report = assert_matches_openapi(tested, "/definitions/drafts/{draft_id}/test", "POST")
    assert [r["id"] for r in report["results"]] == [c["id"] for c in shipped["cases"]]
    failures = {r["id"]: r["message"] for r in report["results"] if not r["passed"]}
    assert failures == {} and report["failed"] == [] and report["passed"] is True
    assert report["uncovered"] == [] and set(report["covered"]) == set(report["flows"])

    deployed = client.post(f"{BASE}/definitions/drafts/{draft['id']}/deploy", headers=manager, json={})
    assert deployed.status_code == 201, deployed.get_data(as_text=True)[:300]
    result = assert_matches_openapi(deployed, "/definitions/drafts/{draft_id}/deploy", "POST")
    assert result["version"] == active.content_hash and result["report"]["failed"] == []
    with product.session_factory() as session:
        assert catalog.active_definition(session, process_id).id == result["definition_id"] == active.id


def test_the_sandbox_never_calls_the_citys_register_or_card_system(tmp_path):
    """Configured for the real 住基 and a card system (both unreachable here), the modeler's runner still passes
    5.3's cases: the sandbox uses the simulated register and calls no card system."""
    app = Flask(__name__, instance_path=str(tmp_path))
    load_config(app, {"SECRET_KEY": "test-secret-key-0123456789", "JUKI": "http", "JUKI_URL": CLOSED_PORT,
                      "CARD_SYSTEM_URL": f"{CLOSED_PORT}/cards", "DATABASE_URL": f"sqlite:///{tmp_path / 'city.db'}"})
    xml, forms = read_definition_files(BPMN / "hikikae_kofu.bpmn")
    neighbours = [read_definition_files(path) for path in sorted(BPMN.glob("*.bpmn"))]
    document = shipped_document(BPMN, "hikikae_kofu")
    report = run_draft_cases(app.config, xml, forms, document, neighbours)
    assert report.ran == len(document["cases"]) and report.failed == [], [r.message for r in report.results]


def test_the_deploy_gate_reuses_the_servers_verdict_on_the_identical_draft_only(app, api_token, product,
                                                                               monkeypatch):
    runs = []
    monkeypatch.setattr(sandbox, "_RECENT", sandbox._RecentReports(16))  # verdicts of earlier tests do not count
    monkeypatch.setattr(sandbox, "run_suite", lambda *args: runs.append(args[1]) or run_suite(*args))
    client, manager = app.test_client(), api_token("manager")
    with product.session_factory() as session:
        active = catalog.active_definition(session, "teishi_kaijo")
    draft = client.post(f"{BASE}/definitions/versions/{active.id}/drafts", headers=manager).get_json()
    assert client.post(f"{BASE}/definitions/drafts/{draft['id']}/test", headers=manager).get_json()["passed"]
    one_case = {**draft["cases"], "cases": draft["cases"]["cases"][:1]}
    body = {"bpmn_xml": draft["bpmn_xml"], "forms": draft["forms"], "cases": one_case}
    assert client.put(f"{BASE}/definitions/drafts/{draft['id']}", headers=manager, json=body).status_code == 200
    refused = client.post(f"{BASE}/definitions/drafts/{draft['id']}/deploy", headers=manager, json={})
    assert refused.status_code == 409 and refused.get_json()["error"] == "uncovered_flows"
    assert len(runs) == 2  # the cases changed after the test run: the gate ran them again
    assert client.post(f"{BASE}/definitions/drafts/{draft['id']}/test", headers=manager).get_json()["passed"]
    deployed = client.post(f"{BASE}/definitions/drafts/{draft['id']}/deploy", headers=manager,
                           json={"confirm_uncovered": True})
    assert deployed.status_code == 201 and len(runs) == 3  # identical to the run just made: its verdict stands
