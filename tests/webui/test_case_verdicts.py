"""`pytest bpmn_tests` and the modeler give the same verdict on the same case file: 6.1's shipped cases plus two
that must fail (a wrong end event, a task that never comes up), run once by pytest in a subprocess on the same kind
of database and once by the modeler's test runner through the API, compared case by case."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from engine.casework import shipped_document
from engine.library import catalog
from tests.webui.api_contract import BASE, assert_matches_openapi

ROOT = Path(__file__).resolve().parents[2]
PROCESS_ID = "shomeisho_kofu"


def case_file_with_failures(product) -> dict:
    document = shipped_document(product.bpmn_dir, PROCESS_ID)
    first = document["cases"][0]
    wrong_end = {**first, "id": "wrong_end_event", "expect": {**first["expect"], "end_event": "end_no_such"}}
    missing_task = {**first, "id": "task_never_comes", "steps": [["task_no_such", "madoguchi", {}], *first["steps"]]}
    return {**document, "cases": [*document["cases"], wrong_end, missing_task]}


def verdicts_of_pytest(document: dict, database: str, tmp_path: Path) -> dict[str, bool]:
    """Run bpmn_tests on the case file alone (INKAN_BPMN_CASES) on a database of this kind; case id → passed."""
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / f"{PROCESS_ID}.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    report = tmp_path / "junit.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
                    "bpmn_tests/test_scenarios.py", "-k", database,
                    f"--junitxml={report}", f"--basetemp={tmp_path / 'pytest'}"],
                   cwd=ROOT, env=os.environ | {"INKAN_BPMN_CASES": str(cases)}, capture_output=True, check=False)
    verdicts = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        if case.get("name").startswith("test_scenario["):  # test_scenario[sqlite-shomeisho_kofu:suspended]
            case_id = case.get("name").split(":", 1)[1].rstrip("]")
            verdicts[case_id] = case.find("failure") is None and case.find("error") is None
    return verdicts


def verdicts_of_the_modeler(app, api_token, product, document: dict) -> dict[str, bool]:
    """Open a draft of the active version, give it the case file, run its tests; case id → passed."""
    client, manager = app.test_client(), api_token("manager")
    with product.session_factory() as session:
        active = catalog.active_definition(session, PROCESS_ID)
    draft = client.post(f"{BASE}/definitions/versions/{active.id}/drafts", headers=manager).get_json()
    saved = client.put(f"{BASE}/definitions/drafts/{draft['id']}", headers=manager,
                       json={"bpmn_xml": draft["bpmn_xml"], "forms": draft["forms"], "cases": document})
    assert saved.status_code == 200 and saved.get_json()["problems"] == []
    tested = client.post(f"{BASE}/definitions/drafts/{draft['id']}/test", headers=manager)
    report = assert_matches_openapi(tested, "/definitions/drafts/{draft_id}/test", "POST")
    return {result["id"]: result["passed"] for result in report["results"]}


@pytest.mark.slow
def test_pytest_and_the_modeler_agree_case_by_case(app, api_token, product, database_url, tmp_path):
    document = case_file_with_failures(product)
    database = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    by_pytest = verdicts_of_pytest(document, database, tmp_path)
    by_modeler = verdicts_of_the_modeler(app, api_token, product, document)
    expected = {case["id"]: case["id"] not in ("wrong_end_event", "task_never_comes") for case in document["cases"]}
    assert by_pytest == expected
    assert by_modeler == expected
