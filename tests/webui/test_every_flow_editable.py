"""Every shipped flow is editable (issue 14): for each bpmn/*.bpmn, a draft opened from the active version runs ALL
its shipped cases in the modeler's test runner — none failing, every sequence flow taken — and deploys, all through
the API. Parametrised over the files in bpmn/, so a flow added later is walked by construction."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import catalog
from engine.casework import shipped_document
from engine.definitions import parse_definition, read_definition_files
from tests.webui.api_contract import BASE, assert_matches_openapi

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


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
