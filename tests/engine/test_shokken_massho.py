"""4.2.1 職権抹消 through the engine: proposal, four-eyes approval, 除票, 4.4.1.3 確認票 and 抹消通知書; refusals."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from engine.actor import Actor
from engine.errors import FormInvalid, FourEyesRequired
from engine.models import HumanTask, ProcessInstance
from engine.runtime.queries import instance_detail, open_tasks_of_instance
from handlers.operators.print_queue import render_item
from registry.blobs.store import get_blob
from registry.documents.models import PrintQueueItem
from registry.seals import records
from registry.seals.models import Registration
from tests.support.flow import BACK
from tests.support.resident_events import record_and_process

APPROVER = Actor("backyard2", "backyard")  # a second back-office clerk (four-eyes)
GUARDIANSHIP = {"proposal": "propose", "reason": "guardianship", "proposal_note": "登記事項証明書を確認"}


def start(product, **find) -> int:
    outcome = product.runner.start("shokken_massho", BACK)
    return product.runner.complete(outcome.next_task_id, BACK, find).instance_id


def open_task(product, instance_id: int) -> HumanTask:
    with product.session_factory() as session:
        (task,) = open_tasks_of_instance(session, instance_id)
        return task


def complete(product, instance_id: int, actor: Actor, data: dict):
    return product.runner.complete(open_task(product, instance_id).id, actor, data)


def data_of(product, instance_id: int) -> dict:
    with product.session_factory() as session:
        return instance_detail(session, product.specs, instance_id).data


def record_of(product, number: str) -> Registration:
    with product.session_factory() as session:
        return records.registration_by_number(session, number)


def history(product, number: str) -> list:
    with product.session_factory() as session:
        return records.history_of(session, record_of(product, number).id)


def pdf_text(session, sha: str) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(get_blob(session, sha).data)).pages)


def test_approved_deletion_closes_the_record_prints_the_sheet_and_queues_the_notice(product, driver):
    registered = driver.registered_person()
    typed = "".join(chr(ord(d) + 0xFEE0) for d in registered.registration_number)  # full-width, as people type
    instance_id = start(product, search_by="registration_number", registration_number=typed)
    assert open_task(product, instance_id).spec_name == "task_propose"
    complete(product, instance_id, BACK, GUARDIANSHIP)
    outcome = complete(product, instance_id, APPROVER, {"decision": "approve"})

    assert outcome.status == "completed"
    record = record_of(product, registered.registration_number)
    assert (record.status, record.close_reason, record.closed_on) == ("deleted", "後見開始", product.services.today())
    entry = history(product, registered.registration_number)[-1]
    assert entry.reason == "抹消（職権・後見開始）" and entry.operator == "backyard2" and entry.instance_id == instance_id
    assert json.loads(entry.after_json) == {"status": "deleted", "close_reason": "後見開始"}
    data = data_of(product, instance_id)
    with product.session_factory() as session:
        instance = session.get(ProcessInstance, instance_id)
        sheet = pdf_text(session, data["closed_sheet"]["document_blob_id"])
        notice = session.scalars(select(PrintQueueItem).where(PrintQueueItem.registration_id == record.id)).one()
        letter = PdfReader(io.BytesIO(render_item(notice, product.services.office(session), record.closed_on)))
    assert instance.end_event == "end_closed" and instance.subject_registration_number == record.registration_number
    assert "除票" in sheet and "後見開始" in sheet and registered.registration_number in sheet
    assert notice.document == "deletion_notice" and notice.instance_id == instance_id
    assert "後見開始" in "".join(page.extract_text() for page in letter.pages)


def test_the_proposing_clerk_cannot_approve_their_own_proposal(product, driver):
    registered = driver.registered_person()
    instance_id = start(product, search_by="resident", resident_id=registered.resident_id)
    complete(product, instance_id, BACK, GUARDIANSHIP)
    approval = open_task(product, instance_id)
    assert approval.spec_name == "task_approve"

    with pytest.raises(FourEyesRequired, match="別の職員"):
        product.runner.claim(approval.id, BACK)
    with pytest.raises(FourEyesRequired):
        product.runner.complete(approval.id, BACK, {"decision": "approve"})
    assert record_of(product, registered.registration_number).status == "registered"
    assert open_task(product, instance_id).id == approval.id  # still waiting for a second clerk


def test_a_returned_proposal_goes_back_to_the_proposer_who_may_withdraw_it(product, driver):
    registered = driver.registered_person()
    instance_id = start(product, search_by="resident", resident_id=registered.resident_id)
    complete(product, instance_id, BACK, {"proposal": "propose", "reason": "registered_in_error"})
    complete(product, instance_id, APPROVER, {"decision": "return", "return_reason": "誤登録の根拠が不明です"})
    assert open_task(product, instance_id).spec_name == "task_propose"
    outcome = complete(product, instance_id, BACK, {"proposal": "withdraw"})

    assert outcome.status == "completed"
    with product.session_factory() as session:
        assert session.get(ProcessInstance, instance_id).end_event == "end_withdrawn"
    assert [e.reason for e in history(product, registered.registration_number)] == ["登録", "登録証交付"]


def test_the_approver_of_a_corrected_proposal_must_not_have_proposed_it(product, driver):
    registered = driver.registered_person()
    instance_id = start(product, search_by="resident", resident_id=registered.resident_id)
    complete(product, instance_id, BACK, {"proposal": "propose", "reason": "impression_unusable"})
    complete(product, instance_id, APPROVER, {"decision": "return", "return_reason": "事由を見直してください"})
    with product.session_factory() as session:  # the returned proposal is the proposer's again: take it over
        returned = open_tasks_of_instance(session, instance_id)[0]
    assert returned.claimed_by == "backyard"
    product.runner.claim(returned.id, APPROVER, take_over=True)
    complete(product, instance_id, APPROVER, {"proposal": "propose", "reason": "impression_unusable"})

    with pytest.raises(FourEyesRequired):  # backyard2 now proposed too
        complete(product, instance_id, APPROVER, {"decision": "approve"})
    complete(product, instance_id, Actor("manager", "manager"), {"decision": "approve"})
    assert record_of(product, registered.registration_number).close_reason == "印影不鮮明・使用不能"


def test_other_reason_needs_its_text_which_goes_onto_the_record(product, driver):
    registered = driver.registered_person()
    instance_id = start(product, search_by="resident", resident_id=registered.resident_id)
    with pytest.raises(FormInvalid) as refused:
        complete(product, instance_id, BACK, {"proposal": "propose", "reason": "other"})
    assert refused.value.errors == {"reason_detail": "「具体的な理由」は必須です"}
    with pytest.raises(FormInvalid) as refused:
        complete(product, instance_id, BACK, {"proposal": "propose"})
    assert refused.value.errors == {"reason": "「抹消事由」は必須です"}

    complete(product, instance_id, BACK, {"proposal": "propose", "reason": "other", "reason_detail": "二重登録の判明"})
    complete(product, instance_id, APPROVER, {"decision": "approve"})
    assert record_of(product, registered.registration_number).close_reason == "その他（二重登録の判明）"


@pytest.mark.parametrize("search_by", ["resident", "registration_number"])
def test_a_closed_record_is_refused_with_its_closing_and_nothing_is_written(product, driver, search_by):
    registered = driver.registered_person()
    record_and_process(product, "die", registered.resident_id)
    before = len(history(product, registered.registration_number))
    instance_id = start(product, search_by=search_by, resident_id=registered.resident_id,
                        registration_number=registered.registration_number)

    found = data_of(product, instance_id)["registration"]
    assert open_task(product, instance_id).spec_name == "task_not_active"
    assert (found["active"], found["reason"]) == (False, "closed")
    assert f"登録番号 {registered.registration_number} は既に抹消されています" in found["message"]
    assert "死亡" in found["message"] and "職権抹消はできません" in found["message"]
    complete(product, instance_id, BACK, {"next_step": "end"})
    assert len(history(product, registered.registration_number)) == before


def test_an_unknown_number_and_an_unregistered_resident_are_refused(product, driver):
    instance_id = start(product, search_by="registration_number", registration_number="0000")
    assert data_of(product, instance_id)["registration"]["message"] == "登録番号 0000 の印鑑登録原票はありません。"
    complete(product, instance_id, BACK, {"next_step": "search_again"})
    resident_id = driver.fresh_resident()
    complete(product, instance_id, BACK, {"search_by": "resident", "resident_id": resident_id})
    found = data_of(product, instance_id)["registration"]
    assert found["reason"] == "not_registered" and resident_id in found["message"]


def test_a_record_closed_while_the_approval_waits_is_left_alone(product, driver):
    registered = driver.registered_person()
    instance_id = start(product, search_by="resident", resident_id=registered.resident_id)
    complete(product, instance_id, BACK, GUARDIANSHIP)
    record_and_process(product, "die", registered.resident_id)  # 4.2.2 closes it meanwhile
    before = len(history(product, registered.registration_number))
    complete(product, instance_id, APPROVER, {"decision": "approve"})

    closing = data_of(product, instance_id)["closing"]
    assert closing["closed"] is False and "既に抹消されています" in closing["message"]
    assert record_of(product, registered.registration_number).close_reason == "死亡"
    assert len(history(product, registered.registration_number)) == before


def test_the_approval_page_shows_the_record_its_impression_and_the_proposal(product, driver, login):
    registered = driver.registered_person()
    instance_id = start(product, search_by="resident", resident_id=registered.resident_id)
    complete(product, instance_id, BACK, GUARDIANSHIP | {"proposal_note": "登記事項証明書（後見開始）を確認"})
    page = login("manager").get(f"/tasks/{open_task(product, instance_id).id}").get_data(as_text=True)
    assert "4.2.1 職権抹消の対象" in page and "有効な登録" in page and registered.registration_number in page
    assert "登録印影（実寸）" in page and 'class="impression-frame"' in page
    assert "起案した抹消事由" in page and "後見開始" in page and "登記事項証明書（後見開始）を確認" in page


def test_over_the_api_the_proposer_gets_403_and_a_manager_approves(product, driver, client, api_token):
    registered = driver.registered_person()
    started = client.post("/api/v1/instances", headers=api_token("backyard"),
                          json={"process_id": "shokken_massho", "data": {"resident_id": registered.resident_id}})
    assert started.status_code == 201
    find = {"search_by": "resident", "resident_id": registered.resident_id}
    proposed = client.post(f"/api/v1/tasks/{started.get_json()['next_task_id']}/complete",
                           headers=api_token("backyard"), json={"data": find}).get_json()
    approval = client.post(f"/api/v1/tasks/{proposed['next_task_id']}/complete", headers=api_token("backyard"),
                           json={"data": GUARDIANSHIP}).get_json()
    approval_id = open_task(product, approval["instance_id"]).id

    refused = client.post(f"/api/v1/tasks/{approval_id}/complete", headers=api_token("backyard"),
                          json={"data": {"decision": "approve"}})
    assert refused.status_code == 403 and refused.get_json()["error"] == "four_eyes_required"
    assert record_of(product, registered.registration_number).status == "registered"
    done = client.post(f"/api/v1/tasks/{approval_id}/complete", headers=api_token("manager"),
                       json={"data": {"decision": "approve"}})
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
    assert record_of(product, registered.registration_number).close_reason == "後見開始"
