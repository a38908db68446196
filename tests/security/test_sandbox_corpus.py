"""Known Python-sandbox escapes never run (issue 12, point 5).

Each escape is placed as a gateway condition, a service-task parameter, a timer expression, a script task, a
preScript and a postScript of a small probe definition, and sent through every door a manager has: deploy over the
API, a draft's save, its test run and its deploy, and the import of an export file. Each is refused, or — where the
text happens to be valid CEL — evaluated to a harmless error. The canary file an escape would create never appears.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest

from engine.library.expressions import ExpressionError, evaluate

PROBE = (Path(__file__).parent / "data" / "probe.bpmn").read_text(encoding="utf-8")
FORMS = {"security_probe.enter.json": {
    "title": "入力", "schema": {"type": "object", "properties": {"answer": {"type": "string", "maxLength": 10},
                                                               "resident_id": {"type": "string", "maxLength": 40}}}}}
CLEAN = {"PARAMETER": "resident_id", "TIMER": "'PT1H'", "CONDITION": "answer == 'a'"}

# Each escape writes the canary file when Python runs it. CANARY is replaced by the file's path.
ESCAPES = {
    "generator_frame_walk": "[(g := (g.gi_frame.f_back.f_back.f_builtins for x in [1])), list(g)][1][0]"
                            "['__import__']('os').system('touch CANARY') == 0",
    "generator_gi_frame_globals": "(x for x in ()).gi_frame.f_globals['__builtins__']['open']('CANARY', 'w')",
    "format_attribute_walk": "'{0.__self__.__loader__.load_module.__globals__}'.format(len) and "
                             "__import__('os').system('touch CANARY')",
    "format_map_walk": "'{x.__class__.__init__.__globals__}'.format_map({'x': 1})",
    "class_mro_subclasses": "().__class__.__mro__[1].__subclasses__()",
    "subclasses_globals": "''.__class__.__mro__[-1].__subclasses__()[140].__init__.__globals__['system']"
                          "('touch CANARY')",
    "catch_warnings_builtins": "[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "
                               "'catch_warnings'][0]()._module.__builtins__['__import__']('os')"
                               ".system('touch CANARY')",
    "fstring": "f\"{__import__('os').system('touch CANARY')}\"",
    "lambda_call": "(lambda: __import__('os').system('touch CANARY'))()",
    "lambda_default": "(lambda f=__import__: f('os').system('touch CANARY'))()",
    "decorator": "@__import__('os').system\ndef f(): pass",
    "walrus": "(o := __import__('os')) and o.system('touch CANARY')",
    "getattr_strings": "getattr(getattr(__builtins__, '__imp' + 'ort__')('os'), 'sys' + 'tem')('touch CANARY')",
    "unicode_normalised_identifier": "ｅｖａｌ(\"__import__('os').system('touch CANARY')\")",
    "open_file": "open('CANARY', 'w').write('x')",
    "builtins_dict": "__builtins__['__import__']('os').system('touch CANARY')",
    "globals_call": "globals()['__builtins__'].__import__('os').system('touch CANARY')",
    "exec_string": "exec(\"import os; os.system('touch CANARY')\")",
    "compile_exec": "eval(compile(\"__import__('os').system('touch CANARY')\", 'x', 'eval'))",
    "import_statement": "import os; os.system('touch CANARY')",
    "percent_format": "'%s' % __import__('os').system('touch CANARY')",
    "subprocess": "__import__('subprocess').check_output(['touch', 'CANARY'])",
    "loader_load_module": "__loader__.load_module('os').system('touch CANARY')",
    "type_new_class": "type('X', (), {'__eq__': lambda s, o: __import__('os').system('touch CANARY')})() == 1",
    "vars_builtins": "vars(__builtins__)['open']('CANARY', 'w')",
    "cel_host_attribute": "dyn(resident_id).__class__.__mro__",
    "cel_nested_comprehensions": "[1,2].map(a, [1,2].map(b, [1,2].map(c, [1,2].map(d, open('CANARY')))))",
    "cel_regex_denial": "resident_id.matches('(a+)+$') && resident_id.startsWith('CANARY')",
}
HARMLESS_CEL = {"cel_regex_denial"}  # valid CEL that evaluates (RE2 has no catastrophic backtracking)
PLACES = ("condition", "parameter", "timer", "script_task", "pre_script", "post_script")


def _payload(source: str, canary: Path) -> str:
    return source.replace("CANARY", str(canary))


def probe_xml(place: str, source: str) -> str:
    """The probe definition with `source` in one place (the others clean)."""
    values = dict(CLEAN)
    xml = PROBE
    if place == "condition":
        values["CONDITION"] = source
    elif place == "parameter":
        values["PARAMETER"] = source
    elif place == "timer":
        values["TIMER"] = source
    elif place == "script_task":
        start, end = xml.index("<!--SERVICE-->"), xml.index("<!--/SERVICE-->")
        xml = xml[:start] + ('<bpmn:scriptTask id="svc_probe" name="script" scriptFormat="python">'
                             '<bpmn:incoming>flow_enter</bpmn:incoming><bpmn:outgoing>flow_service</bpmn:outgoing>'
                             f'<bpmn:script>{escape(source)}</bpmn:script></bpmn:scriptTask>') + xml[end:]
    else:
        tag = "preScript" if place == "pre_script" else "postScript"
        xml = xml.replace("</spiffworkflow:properties>",
                          f"</spiffworkflow:properties><spiffworkflow:{tag}>{escape(source)}"
                          f"</spiffworkflow:{tag}>", 1)
    xml = xml.replace('value="{PARAMETER}"', "value=" + quoteattr(values["PARAMETER"]))
    return xml.replace("{TIMER}", escape(values["TIMER"])).replace("{CONDITION}", escape(values["CONDITION"]))


def cases(resident_id: str) -> dict:
    return {"process_id": "security_probe", "cases": [
        {"id": "a", "name": "A", "steps": [["task_enter", "madoguchi", {"answer": "a", "resident_id": resident_id}]],
         "expect": {"end_event": "end_a"}},
        {"id": "b", "name": "B", "steps": [["task_enter", "madoguchi", {"answer": "b", "resident_id": resident_id}],
                                           ["$timers", "", {"days": 1}]],
         "expect": {"end_event": "end_b"}}]}


@pytest.fixture(scope="module")
def probe(app, api_token):
    """The clean probe, deployed, so drafts can be opened from it."""
    client = app.test_client()
    response = client.post("/api/v1/definitions", headers=api_token("manager"),
                           json={"bpmn_xml": probe_xml("condition", CLEAN["CONDITION"]), "forms": FORMS})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_the_clean_probe_runs_its_cases_in_the_modeler(app, api_token, probe):
    client, headers = app.test_client(), api_token("manager")
    draft = client.post(f"/api/v1/definitions/versions/{probe}/drafts", headers=headers).get_json()["id"]
    saved = client.put(f"/api/v1/definitions/drafts/{draft}", headers=headers,
                       json={"bpmn_xml": probe_xml("condition", CLEAN["CONDITION"]), "forms": FORMS,
                             "cases": cases("$applicant"), "note": "clean"})
    assert saved.get_json()["problems"] == []
    report = client.post(f"/api/v1/definitions/drafts/{draft}/test", headers=headers).get_json()
    assert report["passed"] and [r["passed"] for r in report["results"]] == [True, True], report


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_an_escape_is_refused_or_harmless_through_every_door(app, api_token, probe, tmp_path, name, place):
    canary = tmp_path / "canary"
    source = _payload(ESCAPES[name], canary)
    xml = probe_xml(place, source)
    client, headers = app.test_client(), api_token("manager")

    deployed = client.post("/api/v1/definitions", headers=headers, json={"bpmn_xml": xml, "forms": FORMS})
    assert deployed.status_code in (201, 422), deployed.get_data(as_text=True)[:300]
    if deployed.status_code == 201:  # valid CEL: run it, the expression fails harmlessly
        _run_probe(client, api_token)
        _restore_clean_probe(client, headers)

    draft = client.post(f"/api/v1/definitions/versions/{probe}/drafts", headers=headers).get_json()["id"]
    saved = client.put(f"/api/v1/definitions/drafts/{draft}", headers=headers,
                       json={"bpmn_xml": xml, "forms": FORMS, "cases": cases("$applicant"), "note": name})
    assert saved.status_code == 200
    problems = saved.get_json()["problems"]
    tested = client.post(f"/api/v1/definitions/drafts/{draft}/test", headers=headers)
    assert tested.status_code in (200, 422), tested.get_data(as_text=True)[:300]
    if tested.status_code == 200 and name not in HARMLESS_CEL:
        assert tested.get_json()["failed"], "an escape in valid CEL must make its case fail, not pass"
    deploy = client.post(f"/api/v1/definitions/drafts/{draft}/deploy", headers=headers, json={})
    if deploy.status_code == 201:  # only what evaluates harmlessly passes its tests and deploys
        assert name in HARMLESS_CEL and not problems
        _restore_clean_probe(client, headers)
    else:
        assert deploy.status_code in (409, 422), deploy.get_data(as_text=True)[:300]

    bundle = {"format": "inkan-definition/1", "process_id": "security_probe", "bpmn_xml": xml, "forms": FORMS,
              "cases": cases("$applicant"), "note": name}
    imported = client.post("/api/v1/definitions/import", headers=headers,
                           data=json.dumps(bundle, ensure_ascii=False).encode("utf-8"))
    assert imported.status_code in (201, 422), imported.get_data(as_text=True)[:300]
    if imported.status_code == 201:
        assert imported.get_json()["problems"] or place in ("condition", "parameter", "timer")

    assert problems or place in ("condition", "parameter", "timer"), "scripts are refused wherever they are"
    assert not canary.exists(), f"{name} as {place} ran"


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_an_escape_evaluated_directly_is_an_expression_error(tmp_path, name):
    canary = tmp_path / "canary"
    data = {"resident_id": "a" * 5000 + "!", "answer": "a", "eligibility": {"eligible": True}}
    if name in HARMLESS_CEL:
        assert evaluate(_payload(ESCAPES[name], canary), data) is False
    else:
        with pytest.raises(ExpressionError):
            evaluate(_payload(ESCAPES[name], canary), data)
    assert not canary.exists()


def _run_probe(client, api_token):
    started = client.post("/api/v1/instances", headers=api_token("madoguchi"),
                          json={"process_id": "security_probe", "data": {}})
    assert started.status_code == 201, started.get_data(as_text=True)[:300]
    task_id = started.get_json()["next_task_id"]
    done = client.post(f"/api/v1/tasks/{task_id}/complete", headers=api_token("madoguchi"),
                       json={"data": {"answer": "a", "resident_id": "x"}})
    assert done.status_code < 500, done.get_data(as_text=True)[:300]


def _restore_clean_probe(client, headers):
    response = client.post("/api/v1/definitions", headers=headers,
                           json={"bpmn_xml": probe_xml("condition", CLEAN["CONDITION"]), "forms": FORMS})
    assert response.status_code == 201
