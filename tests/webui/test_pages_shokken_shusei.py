"""4.3.1 職権修正 on the task pages: the current record beside the entry, before/after on the approval, the
four-eyes refusal for the clerk who entered it."""

from __future__ import annotations

from engine.errors import FourEyesRequired
from engine.runtime.queries import get_task
from registry.seals import records
from tests.webui.api_contract import Api
from tests.webui.test_api_flow import find_in_inbox, work
from tests.webui.test_pages_tasks import location_task

NEW_ADDRESS = "見本市本町九丁目9番9号"
BLANK_ENTRY = {"reason_note": "", "new_name": "", "new_kana": "", "new_old_surname": "", "new_common_name": "",
               "new_katakana_name": "", "new_household_id": ""}


def test_the_entry_shows_the_record_and_the_approval_shows_before_and_after(login, driver, product):
    person = driver.registered_person()
    with product.session_factory() as session:
        old_address = records.registration_by_number(session, person.registration_number).address
    clerk = login("manager")  # works both lanes: only the four-eyes rule stops them approving their own entry
    assert "4.3.1 職権修正（届出による修正）" in clerk.get("/start").get_data(as_text=True)
    find_id = location_task(clerk.post("/start/shokken_shusei", data={"resident_id": person.resident_id,
                                                                 "confirmed": "1"}))
    assert f'value="{person.resident_id}"' in clerk.get(f"/tasks/{find_id}").get_data(as_text=True)
    entry_id = location_task(clerk.post(f"/tasks/{find_id}", data={"resident_id": person.resident_id}))
    page = clerk.get(f"/tasks/{entry_id}").get_data(as_text=True)
    assert "修正する原票の現在の記載" in page and old_address in page and person.registration_number in page
    assert "修正できません" in page and 'name="clear_fields" value="common_name"' in page

    response = clerk.post(f"/tasks/{entry_id}", data=BLANK_ENTRY | {"correction_reason": "notification",
                                                                    "new_address": NEW_ADDRESS})
    assert response.status_code == 302
    approval_id = driver.open_task(_instance_of(product, entry_id))
    refused = clerk.post(f"/tasks/{approval_id}", data={"approval_decision": "approve"})
    assert refused.status_code == 403 and "別の職員" in refused.get_data(as_text=True)

    approver = login("backyard")
    page = approver.get(f"/tasks/{approval_id}").get_data(as_text=True)
    assert "修正前・修正後" in page and old_address in page and NEW_ADDRESS in page
    assert "届出による修正" in page and "（記載なし）" not in page  # only the changed field is listed
    assert approver.post(f"/tasks/{approval_id}", data={"approval_decision": "approve"}).status_code == 302
    with product.session_factory() as session:
        assert records.registration_by_number(session, person.registration_number).address == NEW_ADDRESS


def test_the_correction_runs_through_the_api_alone(client, api_token, driver, product):
    manager, back = Api(client, api_token("manager")), Api(client, api_token("backyard"))
    person = driver.registered_person()
    instance_id = manager.post("/instances", 201, json={"process_id": "shokken_shusei", "data": {}})["instance_id"]
    work(manager, "窓口", instance_id, {"resident_id": person.resident_id})
    work(manager, "窓口", instance_id, {"correction_reason": "notification", "new_address": NEW_ADDRESS},
         shows=("shusei_target",))
    row = find_in_inbox(back, "バックヤード", instance_id)
    task = back.get("/tasks/{task_id}", task_id=row["task_id"])
    assert task["context"]["shusei_change"]["changes"][0]["after"] == NEW_ADDRESS
    refused = manager.post("/tasks/{task_id}/complete", 403, task_id=row["task_id"],
                           json={"data": {"approval_decision": "approve"}})
    assert refused["error"] == FourEyesRequired.code  # the manager entered it: a second clerk must approve
    outcome = work(back, "バックヤード", instance_id, {"approval_decision": "approve"}, shows=("shusei_change",))
    assert outcome["status"] == "completed"
    with product.session_factory() as session:
        assert records.registration_by_number(session, person.registration_number).address == NEW_ADDRESS


def _instance_of(product, task_id: int) -> int:
    with product.session_factory() as session:
        return get_task(session, task_id).instance_id
