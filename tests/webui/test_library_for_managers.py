"""The model library as a manager reads it: deploy shows what changes first, a constant parameter out of its
declared range is refused at save on its element, the migration page offers the choice for changed timers, and no
page of the library shows ids like `draft:2`, full content hashes or setting names (INKAN_…)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, timedelta

from engine.library import catalog
from engine.library.definitions import read_definition_files
from tests.engine.test_migration_timers import due_of, versions  # noqa: F401 — fixture, found by name
from tests.support.inquiry_flow import InquiryDriver
from tests.support.library import BPMN as BPMN_DIR
from tests.support.library import copy_of_4_1_4, deploy_copy
from tests.webui.api_contract import BASE, assert_matches_openapi
from tests.webui.test_pages_library import NOT_FOUND_CASE, open_draft, save

FORBIDDEN = {"setting name": re.compile(r"INKAN_[A-Z]"), "draft source": re.compile(r"draft:\d"),
             "content hash": re.compile(r"\b[0-9a-f]{40,64}\b")}
SHIPPED_DEADLINE = '<spiffworkflow:parameter id="deadline_days" type="int" value="30" />'


def test_deploy_first_shows_the_changes_against_the_active_version(login, product):
    process_id, xml, definition = deploy_copy(product, note="初版")
    client = login("manager")
    draft_id = open_draft(client, definition.id)
    assert client.get(f"/library/drafts/{draft_id}/changes").get_json()["is_empty"] is True
    changed = xml.replace('name="2.1.3 基本検索（申請者の特定）"', 'name="申請者の特定"')
    save(client, draft_id, changed, [NOT_FOUND_CASE])
    changes = client.get(f"/library/drafts/{draft_id}/changes").get_json()
    assert changes["against"]["definition_id"] == definition.id and changes["against"]["note"] == "初版"
    [row] = changes["elements"]
    assert row == {"element_id": "task_identify", "change": "changed", "change_label": "変更", "name": "申請者の特定",
                   "kind": "ユーザタスク", "details": ["名前: 「2.1.3 基本検索（申請者の特定）」→「申請者の特定」"]}
    editor = client.get(f"/library/drafts/{draft_id}").get_data(as_text=True)
    assert f'data-changes-url="/library/drafts/{draft_id}/changes"' in editor


def test_a_parameter_change_is_named_parameter_by_parameter(login, product):
    process_id = f"lib_{uuid.uuid4().hex[:8]}"
    _, xml, definition = deploy_copy(product, copy_of_4_1_4(process_id), process_id)
    client = login("manager")
    draft_id = open_draft(client, definition.id)
    _, forms = read_definition_files(BPMN_DIR / "shoukai_touroku.bpmn")
    problems = save(client, draft_id, xml.replace(SHIPPED_DEADLINE, SHIPPED_DEADLINE.replace('"30"', '"0"')), [],
                    forms=forms).get_json()["problems"]
    assert {"element_id": "svc_issue", "message": "パラメータ deadline_days（照会書発行日から回答期限までの日数）は"
            "1〜365の整数で指定してください（0 が指定されています）"} in problems
    assert save(client, draft_id, xml.replace(SHIPPED_DEADLINE, SHIPPED_DEADLINE.replace('"30"', '"14"')), [],
                forms=forms).get_json()["problems"] == []
    rows = client.get(f"/library/drafts/{draft_id}/changes").get_json()["elements"]
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["name"] == "4.1.4.2 照会書発行（照会番号・回答期限）" and row["details"] == ["パラメータ deadline_days: 「30」→「14」"]


def test_no_library_page_shows_ids_hashes_or_setting_names(login, product):
    """Every library page, for the manager and the auditor, after a version was deployed from a draft."""
    process_id, xml, definition = deploy_copy(product, note="初版")
    client = login("manager")
    draft_id = open_draft(client, definition.id)
    save(client, draft_id, xml.replace('name="2.1.3 基本検索（申請者の特定）"', 'name="申請者の特定"'), [NOT_FOUND_CASE])
    deployed = client.post(f"/library/drafts/{draft_id}/deploy", json={"confirm_uncovered": True})
    assert deployed.status_code == 200, deployed.get_data(as_text=True)[:300]
    new_id = deployed.get_json()["definition_id"]
    second_draft = open_draft(client, new_id)
    with product.session_factory() as session:
        processes = [d.process_id for d in catalog.list_active_definitions(session)]
    pages = ["/library/", *(f"/library/processes/{p}" for p in processes),
             f"/library/processes/{process_id}/diff?from={definition.id}&to={new_id}",
             f"/library/processes/{process_id}/migrate?from={definition.id}&to={new_id}",
             f"/library/drafts/{draft_id}", f"/library/drafts/{second_draft}"]
    for role in ("manager", "auditor"):
        reader = login(role)
        for url in pages:
            response = reader.get(url)
            assert response.status_code == 200, (role, url)
            text = response.get_data(as_text=True)
            for what, pattern in FORBIDDEN.items():
                assert not pattern.search(text), (role, url, what, pattern.search(text).group(0))
    process_page = client.get(f"/library/processes/{process_id}").get_data(as_text=True)
    assert f"下書き {draft_id} から反映" in process_page


def test_what_the_modeler_shows_of_a_shipped_flow_holds_no_setting_name(login, product):
    """The documentation and form texts the modeler shows come from the definition: none names a setting."""
    client = login("manager")
    with product.session_factory() as session:
        active = [d.id for d in catalog.list_active_definitions(session)]
    for definition_id in active:
        draft = client.get(f"/library/drafts/{open_draft(client, definition_id)}/draft.json").get_json()
        shown = [draft["bpmn_xml"], *(str(form) for form in draft["forms"].values())]
        for text in shown:
            assert not FORBIDDEN["setting name"].search(text), (draft["process_id"],
                                                                FORBIDDEN["setting name"].search(text).group(0))


def test_the_migration_page_shows_changed_timers_and_lets_the_manager_keep_them(login, product, versions):  # noqa: F811
    shipped, deploy_week_later = versions
    pending = InquiryDriver(product).to_answer()
    due = due_of(product, pending.instance_id)
    week_later = deploy_week_later(product)
    client = login("manager")
    url = f"/library/processes/shoukai_touroku/migrate?from={shipped.id}&to={week_later.id}"
    page = client.get(url).get_data(as_text=True)
    row = page.split(f'data-instance="{pending.instance_id}"')[1].split("</tr>")[0]
    assert "回答期限の経過" in row and "data-timers" in row
    assert 'name="timers" value="follow" checked' in page and 'name="timers" value="keep"' in page
    assert "4.1.4.3" in row or "回答" in row  # the current task by its name, not its id
    assert "task_answer" not in row
    refused = client.post(url, data={"timers": "later"})
    assert refused.status_code == 422
    assert client.post(url, data={"timers": "keep"}).status_code == 302
    assert due_of(product, pending.instance_id) == due


def test_the_api_plans_and_applies_the_timer_choice(app, api_token, product, versions):  # noqa: F811
    shipped, deploy_week_later = versions
    pending = InquiryDriver(product).to_answer()
    due = due_of(product, pending.instance_id)
    week_later = deploy_week_later(product)
    client, manager = app.test_client(), api_token("manager")
    url = f"{BASE}/definitions/shoukai_touroku/migration"
    plan = client.get(f"{url}?from={shipped.id}&to={week_later.id}", headers=manager)
    [row] = [r for r in assert_matches_openapi(plan, "/definitions/{process_id}/migration", "GET")["instances"]
             if r["instance_id"] == pending.instance_id]
    [timer] = row["timer_changes"]
    assert timer["name"] == "回答期限の経過" and timer["new_due"] == (due + timedelta(days=7)).replace(
        tzinfo=UTC).isoformat()
    body = {"from": shipped.id, "to": week_later.id, "instance_ids": [pending.instance_id]}
    refused = client.post(url, headers=manager, json=body | {"timers": "later"})
    assert refused.status_code == 422 and refused.get_json()["error"] == "invalid_body"
    moved = client.post(url, headers=manager, json=body)  # follow: the default
    assert assert_matches_openapi(moved, "/definitions/{process_id}/migration", "POST")["moved"] == [pending.instance_id]
    assert due_of(product, pending.instance_id) == due + timedelta(days=7)
