"""The model library pages and API: who may see and change definitions, the editor's calls (save, preview, test,
record, deploy), diff, migration, export / import and `inkan definitions export`."""

from __future__ import annotations

import copy
import io
import json

import pytest

from engine.actor import Actor
from engine.library import catalog
from engine.models import ProcessInstance
from tests.support.library import FORMS, deploy_copy
from tests.webui.api_contract import BASE, assert_matches_openapi

NOT_FOUND_CASE = {"id": "not_found", "name": "住民記録なし → 却下", "applicant": "99999999990",
                  "steps": [["task_identify", "madoguchi", {"resident_id": "$applicant",
                                                            "received_items": ["application", "seal", "id_document"]}],
                            ["task_explain_refusal", "madoguchi", {"explained": True}]],
                  "expect": {"end_event": "end_refused", "data": {"refusal.reason": "not_found"}}}


@pytest.fixture
def flow(product):
    return deploy_copy(product, note="初版")


def open_draft(client, definition_id: int) -> int:
    response = client.post(f"/library/versions/{definition_id}/draft")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def save(client, draft_id: int, xml: str, cases: list, forms=FORMS, note: str = ""):
    return client.post(f"/library/drafts/{draft_id}/save", headers={"Accept": "application/json"},
                       json={"bpmn_xml": xml, "forms": forms, "cases": {"cases": cases}, "note": note})


@pytest.mark.parametrize("role", ["madoguchi", "backyard"])
def test_clerks_have_no_access(login, api_token, flow, role):
    process_id, _, definition = flow
    client = login(role)
    for url in ("/library/", f"/library/processes/{process_id}", f"/library/versions/{definition.id}/export"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/library/versions/{definition.id}/draft").status_code == 403
    assert "業務フロー定義" not in client.get("/").get_data(as_text=True)
    response = client.get(f"{BASE}/definitions/{process_id}/versions", headers=api_token(role))
    assert response.status_code == 403


def test_auditors_read_but_change_nothing(login, api_token, flow):
    process_id, _, definition = flow
    client = login("auditor")
    assert client.get("/library/").status_code == 200
    assert "この版を編集" not in client.get(f"/library/processes/{process_id}").get_data(as_text=True)
    assert client.post(f"/library/versions/{definition.id}/draft").status_code == 403
    assert client.post(f"/library/versions/{definition.id}/activate").status_code == 403
    response = client.post(f"{BASE}/definitions/versions/{definition.id}/drafts", headers=api_token("auditor"))
    assert response.status_code == 403
    draft_id = open_draft(login("manager"), definition.id)
    editor = client.get(f"/library/drafts/{draft_id}").get_data(as_text=True)
    assert 'data-may-edit="false"' in editor and "保存（検証）" not in editor
    assert client.post(f"/library/drafts/{draft_id}/save", json={}).status_code == 403


def test_the_library_shows_versions_with_running_instances(login, product, flow):
    process_id, xml, first = flow
    product.runner.start(process_id, Actor("madoguchi", "madoguchi"), {"resident_id": "x"})
    second = deploy_copy(product, xml.replace("2.1.3 基本検索（申請者の特定）", "申請者の特定"), process_id, "名称の変更")[2]
    page = login("manager").get(f"/library/processes/{process_id}").get_data(as_text=True)
    assert first.content_hash[:12] in page and second.content_hash[:12] in page
    assert "名称の変更" in page and "初版" in page
    rows = page.split('data-version="')
    assert "1 ／ 1" in next(r for r in rows if r.startswith(str(first.id)))
    assert "0 ／ 0" in next(r for r in rows if r.startswith(str(second.id)))
    index = login("manager").get("/library/").get_data(as_text=True)
    assert process_id in index


def test_the_diff_page_lists_changed_elements(login, product, flow):
    process_id, xml, first = flow
    second = deploy_copy(product, xml.replace("2.1.3 基本検索（申請者の特定）", "申請者の特定"), process_id)[2]
    page = login("auditor").get(f"/library/processes/{process_id}/diff?from={first.id}&to={second.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "task_identify" in text and "変更" in text and "申請者の特定" in text


def test_saving_lists_the_problem_and_the_preview_draws_the_clerks_form(login, flow):
    _, xml, definition = flow
    client = login("manager")
    draft_id = open_draft(client, definition.id)
    assert client.get(f"/library/drafts/{draft_id}").status_code == 200
    response = save(client, draft_id, xml.replace("<bpmn:flowNodeRef>task_card</bpmn:flowNodeRef>", ""), [])
    assert response.status_code == 200
    assert response.get_json()["problems"][0]["element_id"] == "task_card"
    assert client.get(f"/library/drafts/{draft_id}/draft.json").get_json()["problems"][0]["element_id"] == "task_card"
    preview = client.post("/library/drafts/form-preview", json={"name": "sokuji_touroku.card.json",
                                                                "document": FORMS["sokuji_touroku.card.json"]})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "登録証の種類" in html and 'name="card_kind" value="mynumber_card"' in html
    broken = client.post("/library/drafts/form-preview", json={"name": "x.json", "document": {"title": "x"}})
    assert broken.status_code == 422 and "schema" in broken.get_json()["message"]


def test_deploy_waits_for_passing_tests_and_confirmed_coverage(login, product, flow):
    process_id, xml, definition = flow
    client = login("manager")
    draft_id = open_draft(client, definition.id)
    wrong = copy.deepcopy(NOT_FOUND_CASE)
    wrong["expect"]["end_event"] = "end_registered"
    save(client, draft_id, xml, [wrong], note="却下の説明")
    report = client.post(f"/library/drafts/{draft_id}/test").get_json()
    assert report["failed"] == ["not_found"]
    # the verdict names the end events as the diagram does, not by their ids
    assert report["results"][0]["message"] == "終了イベントが「却下の説明を受ける」（期待「印鑑登録証を受け取る」）"
    assert "flow_not_found" in report["covered"] and "flow_card_retry" in report["uncovered"]
    refused = client.post(f"/library/drafts/{draft_id}/deploy", json={}, headers={"Accept": "application/json"})
    assert refused.status_code == 409 and refused.get_json()["error"] == "tests_failed"
    assert refused.get_json()["message"] == f"テストが通っていないため反映できません: 「{wrong['name']}」"
    save(client, draft_id, xml, [NOT_FOUND_CASE], note="却下の説明")
    unconfirmed = client.post(f"/library/drafts/{draft_id}/deploy", json={}, headers={"Accept": "application/json"})
    assert unconfirmed.status_code == 409 and unconfirmed.get_json()["error"] == "uncovered_flows"
    deployed = client.post(f"/library/drafts/{draft_id}/deploy", json={"confirm_uncovered": True})
    assert deployed.status_code == 200, deployed.get_data(as_text=True)
    with product.session_factory() as session:
        assert catalog.active_definition(session, process_id).id == deployed.get_json()["definition_id"]


def test_the_recorder_replays_steps_and_says_what_comes_next(login, flow):
    _, xml, definition = flow
    client = login("manager")
    draft_id = open_draft(client, definition.id)
    save(client, draft_id, xml, [])
    case = {"id": "recorded", "applicant": "99999999990", "steps": []}
    first = client.post(f"/library/drafts/{draft_id}/record", json={"case": case}).get_json()
    assert [t["spec_name"] for t in first["replay"]["open_tasks"]] == ["task_identify"]
    pending = {"spec_name": "task_identify", "role": "madoguchi", "form_file": "sokuji_touroku.identify.json",
               "values": {"resident_id": ["$applicant"], "received_items": ["application", "seal"]}}
    second = client.post(f"/library/drafts/{draft_id}/record", json={"case": case, "pending": pending}).get_json()
    assert second["case"]["steps"] == [["task_identify", "madoguchi",
                                        {"resident_id": "$applicant", "received_items": ["application", "seal"]}]]
    assert [t["spec_name"] for t in second["replay"]["open_tasks"]] == ["task_explain_refusal"]
    clock = client.post(f"/library/drafts/{draft_id}/record", json={"case": case, "pending": {"timers_days": 2}})
    assert clock.get_json()["case"]["steps"] == [["$timers", "", {"days": 2}]]
    for bad in ({"timers_days": 0}, {"timers_days": "31"}, {"values": {}}, "x"):
        refused = client.post(f"/library/drafts/{draft_id}/record", json={"case": case, "pending": bad},
                              headers={"Accept": "application/json"})
        assert refused.status_code == 422 and refused.get_json()["error"] == "invalid_body", bad


def test_migrate_page_dry_run_then_real(login, product, flow):
    process_id, xml, first = flow
    waiting = product.runner.start(process_id, Actor("madoguchi", "madoguchi"), {"resident_id": "x"}).instance_id
    second = deploy_copy(product, xml.replace("2.1.3 基本検索（申請者の特定）", "申請者の特定"), process_id)[2]
    client = login("manager")
    url = f"/library/processes/{process_id}/migrate?from={first.id}&to={second.id}"
    dry = client.get(url).get_data(as_text=True)
    assert f'data-instance="{waiting}" class="can-move"' in dry
    with product.session_factory() as session:
        assert session.get(ProcessInstance, waiting).definition_id == first.id
    assert login("auditor").post(url).status_code == 403
    assert client.post(url).status_code == 302
    with product.session_factory() as session:
        assert session.get(ProcessInstance, waiting).definition_id == second.id


def test_export_then_import_through_the_pages(login, flow):
    process_id, _, definition = flow
    client = login("manager")
    exported = client.get(f"/library/versions/{definition.id}/export")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    document = exported.get_json()
    assert document["process_id"] == process_id and document["forms"] == json.loads(definition.forms_json)
    response = client.post("/library/import", data={"bundle": (io.BytesIO(exported.data), "x.inkan.json")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    draft = client.get(response.headers["Location"].rstrip("/") + "/draft.json").get_json()
    assert draft["bpmn_xml"] == definition.bpmn_xml and draft["problems"] == []
    bad = client.post("/library/import", data={"bundle": (io.BytesIO(b"{}"), "x.json")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "形式" in bad.get_data(as_text=True)


def test_the_api_covers_the_library(app, api_token, product, flow):
    process_id, xml, first = flow
    client, manager = app.test_client(), api_token("manager")
    versions = client.get(f"{BASE}/definitions/{process_id}/versions", headers=manager)
    assert assert_matches_openapi(versions, "/definitions/{process_id}/versions", "GET")["versions"][0]["id"] == first.id
    opened = client.post(f"{BASE}/definitions/versions/{first.id}/drafts", headers=manager)
    draft = assert_matches_openapi(opened, "/definitions/versions/{definition_id}/drafts", "POST")
    body = {"bpmn_xml": xml.replace("<bpmn:flowNodeRef>task_card</bpmn:flowNodeRef>", ""), "forms": FORMS,
            "cases": {"cases": []}}
    saved = client.put(f"{BASE}/definitions/drafts/{draft['id']}", headers=manager, json=body)
    assert assert_matches_openapi(saved, "/definitions/drafts/{draft_id}", "PUT")["problems"][0]["element_id"] == \
        "task_card"
    assert client.put(f"{BASE}/definitions/drafts/{draft['id']}", headers=api_token("auditor"),
                      json=body).status_code == 403
    untestable = client.post(f"{BASE}/definitions/drafts/{draft['id']}/test", headers=manager)
    assert assert_matches_openapi(untestable, "/definitions/drafts/{draft_id}/test", "POST")["error"] == \
        "invalid_definition"
    exported = client.get(f"{BASE}/definitions/versions/{first.id}/export", headers=manager)
    bundle = assert_matches_openapi(exported, "/definitions/versions/{definition_id}/export", "GET")
    imported = client.post(f"{BASE}/definitions/import", headers=manager, data=json.dumps(bundle))
    assert assert_matches_openapi(imported, "/definitions/import", "POST")["problems"] == []
    second = deploy_copy(product, xml.replace("2.1.3 基本検索（申請者の特定）", "申請者の特定"), process_id)[2]
    diff = client.get(f"{BASE}/definitions/{process_id}/diff?from={first.id}&to={second.id}", headers=manager)
    changes = assert_matches_openapi(diff, "/definitions/{process_id}/diff", "GET")["changes"]
    assert {"task_identify"} <= {c["element_id"] for c in changes}
    waiting = product.runner.start(process_id, Actor("madoguchi", "madoguchi"), {"resident_id": "x"}).instance_id
    plan = client.get(f"{BASE}/definitions/{process_id}/migration?from={second.id}&to={first.id}", headers=manager)
    rows = assert_matches_openapi(plan, "/definitions/{process_id}/migration", "GET")["instances"]
    assert [r["instance_id"] for r in rows if r["can_move"]] == [waiting]
    moved = client.post(f"{BASE}/definitions/{process_id}/migration", headers=manager,
                        json={"from": second.id, "to": first.id})
    assert assert_matches_openapi(moved, "/definitions/{process_id}/migration", "POST")["moved"] == [waiting]
    activated = client.post(f"{BASE}/definitions/versions/{first.id}/activate", headers=manager)
    assert assert_matches_openapi(activated, "/definitions/versions/{definition_id}/activate", "POST")["active"] == \
        first.id


def test_definitions_export_command_writes_the_active_versions(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["definitions", "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "sokuji_touroku.bpmn").is_file()
    assert (tmp_path / "out" / "forms" / "sokuji_touroku.card.json").is_file()
    assert "sokuji_touroku.bpmn" in result.output
