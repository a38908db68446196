"""Issue 15 point 4, no accidental cases: the receipt checks a flow needs are required, and a seal the same as one
registered in the household cannot be marked 登録可."""

from __future__ import annotations

import re

import pytest

from engine.runtime.queries import get_task
from tests.support.flow import BACK, COUNTER
from tests.support.inquiry_flow import APPLICATION


@pytest.mark.parametrize("process_id, task_name", [("sokuji_touroku", "task_identify"),
                                                    ("shoukai_touroku", "task_application")])
def test_the_application_and_the_seal_must_be_received(login, driver, product, process_id, task_name):
    resident_id = driver.fresh_resident()
    outcome = product.runner.start(process_id, COUNTER, {"resident_id": resident_id})
    task_id = driver.open_task(outcome.instance_id)
    with product.session_factory() as session:
        assert get_task(session, task_id).spec_name == task_name
    clerk = login("madoguchi")
    html = clerk.get(f"/tasks/{task_id}").get_data(as_text=True)
    for item in ("application", "seal"):
        assert re.search(rf'name="received_items" value="{item}"\s+required>', html), item
    assert not re.search(r'name="received_items" value="id_document"\s+required>', html)
    answers = {"resident_id": resident_id} | ({k: v for k, v in APPLICATION.items() if k != "received_items"}
                                              if process_id == "shoukai_touroku" else {})
    for received, missing in (([], "受け付けたもの」は必須です"), (["application"], "「印鑑"),
                              (["seal"], "「申請書」を確認してください")):
        response = clerk.post(f"/tasks/{task_id}", data=answers | {"received_items": received})
        assert response.status_code == 422, received
        assert missing in response.get_data(as_text=True), received
    with product.session_factory() as session:
        assert get_task(session, task_id).is_open


def test_a_seal_the_same_as_a_household_members_cannot_be_marked_registrable(login, driver, product):
    applicant, member = driver.fresh_household_pair()
    driver.registered_person(member, seal_text="川村", size_mm=15.0, seed=3)
    task_id = driver.open_task(driver.to_scan(applicant).instance_id)
    outcome = product.runner.complete(task_id, BACK, {"scan_blob_id": driver.scan("川村", size_mm=15.0, seed=3)})
    backyard = login("backyard")
    html = backyard.get(f"/tasks/{outcome.next_task_id}").get_data(as_text=True)
    assert '<span class="badge badge-danger" data-verdict="same">同一</span>' in html
    assert 'name="impression_decision" value="accept"' not in html, "登録可 is not offered"
    assert 'name="impression_decision" value="same_in_household"' in html

    response = backyard.post(f"/tasks/{outcome.next_task_id}",
                             data={"impression_decision": "accept", "impression_name": "full_name"})
    assert response.status_code == 422
    assert "世帯内に同一の印影が登録されているため、登録可にはできません" in response.get_data(as_text=True)
    with product.session_factory() as session:
        assert get_task(session, outcome.next_task_id).is_open
