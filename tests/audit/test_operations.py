"""Operations (system administrators only, audited): suspend / resume / terminate with a reason, reassign a task;
the auditor sees them and cannot do them (no buttons, 403 from the server)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.actor import Actor
from engine.errors import InstanceNotActive
from engine.models import AuditEvent, HumanTask, ProcessInstance
from engine.runtime.operations import InstanceOperations, OperationForbidden, ReasonRequired
from tests.support.flow import COUNTER, IDENTIFY

ADMIN = Actor("admin", "admin")


def status_of(product, instance_id: int) -> str:
    with product.session_factory() as session:
        return session.get(ProcessInstance, instance_id).status


def test_suspend_blocks_work_and_resume_restores_it(product, driver):
    resident_id = driver.fresh_resident()
    outcome = driver.start(resident_id)
    operations = InstanceOperations(product.runner)
    with pytest.raises(ReasonRequired):
        operations.suspend(outcome.instance_id, ADMIN, "  ")
    with pytest.raises(OperationForbidden):
        operations.suspend(outcome.instance_id, Actor("auditor", "auditor"), "見るだけ")
    assert operations.suspend(outcome.instance_id, ADMIN, "本人から不正利用の申出") == "suspended"
    with pytest.raises(InstanceNotActive):
        driver.step(outcome, COUNTER, {"resident_id": resident_id} | IDENTIFY)
    assert operations.resume(outcome.instance_id, ADMIN, "本人確認済み") == "running"
    after = driver.step(outcome, COUNTER, {"resident_id": resident_id} | IDENTIFY)
    assert after.status == "running"
    with product.session_factory() as session:
        kinds = [(e.kind, e.actor) for e in session.scalars(select(AuditEvent).where(
            AuditEvent.instance_id == outcome.instance_id).order_by(AuditEvent.id))]
    assert ("suspend", "admin") in kinds and ("resume", "admin") in kinds


def test_terminate_withdraws_open_tasks(product, driver):
    outcome = driver.start(driver.fresh_resident())
    operations = InstanceOperations(product.runner)
    assert operations.terminate(outcome.instance_id, ADMIN, "二重受付のため") == "terminated"
    with product.session_factory() as session:
        assert not session.scalars(select(HumanTask).where(HumanTask.instance_id == outcome.instance_id,
                                                           HumanTask.is_open.is_(True))).all()
        assert session.get(ProcessInstance, outcome.instance_id).outcome_text == "中止（二重受付のため）"
    with pytest.raises(InstanceNotActive):
        operations.resume(outcome.instance_id, ADMIN, "戻したい")


def test_admin_page_operations_and_auditor_refusal(login, driver, product):
    outcome = driver.start(driver.fresh_resident())
    task_id = driver.open_task(outcome.instance_id)
    product.runner.claim(task_id, COUNTER)
    auditor_html = login("auditor").get(f"/instances/{outcome.instance_id}").get_data(as_text=True)
    assert "運用操作" in auditor_html and "閲覧のみ" in auditor_html
    assert "/suspend" not in auditor_html and "/reassign" not in auditor_html
    for url in (f"/instances/{outcome.instance_id}/suspend", f"/instances/{outcome.instance_id}/terminate",
                f"/instances/tasks/{task_id}/reassign"):
        assert login("auditor").post(url, data={"reason": "x", "to": "manager"}).status_code == 403
        assert login("manager").post(url, data={"reason": "x", "to": "manager"}).status_code == 403
    admin = login("admin")
    html = admin.get(f"/instances/{outcome.instance_id}").get_data(as_text=True)
    assert f'action="/instances/{outcome.instance_id}/suspend"' in html and f"/instances/tasks/{task_id}/reassign" in html
    moved = admin.post(f"/instances/tasks/{task_id}/reassign",
                       data={"to": "manager", "reason": "窓口が混雑", "instance_id": outcome.instance_id})
    assert moved.status_code == 302
    wrong_lane = admin.post(f"/instances/tasks/{task_id}/reassign", data={"to": "backyard", "reason": "x"})
    assert wrong_lane.status_code == 403 and "担当できません" in wrong_lane.get_data(as_text=True)
    assert admin.post(f"/instances/{outcome.instance_id}/suspend", data={"reason": ""}).status_code == 422
    assert admin.post(f"/instances/{outcome.instance_id}/suspend", data={"reason": "調査"}).status_code == 302
    assert status_of(product, outcome.instance_id) == "suspended"
    timeline = login("auditor").get(f"/instances/{outcome.instance_id}").get_data(as_text=True)
    assert "一時停止" in timeline and "理由: 調査" in timeline and "担当 madoguchi → manager" in timeline


def test_api_operations(app, api_token, driver, product):
    outcome = driver.start(driver.fresh_resident())
    client = app.test_client()
    url = f"/api/v1/instances/{outcome.instance_id}/suspend"
    assert client.post(url, headers=api_token("auditor"), json={"reason": "x"}).status_code == 403
    assert client.post(url, headers=api_token("manager"), json={"reason": "x"}).status_code == 403
    assert client.post(url, headers=api_token("admin"), json={}).status_code == 422
    response = client.post(url, headers=api_token("admin"), json={"reason": "調査"})
    assert response.status_code == 200 and response.get_json() == {"instance_id": outcome.instance_id,
                                                                   "status": "suspended"}
    again = client.post(url, headers=api_token("admin"), json={"reason": "調査"})
    assert again.status_code == 409
    resumed = client.post(f"/api/v1/instances/{outcome.instance_id}/resume", headers=api_token("admin"),
                          json={"reason": "完了"})
    assert resumed.get_json()["status"] == "running"
    task_id = driver.open_task(outcome.instance_id)
    moved = client.post(f"/api/v1/tasks/{task_id}/reassign", headers=api_token("admin"),
                        json={"to": "madoguchi", "reason": "交代"})
    assert moved.status_code == 200 and moved.get_json() == {"task_id": task_id, "claimed_by": "madoguchi"}
    unknown = client.post(f"/api/v1/tasks/{task_id}/reassign", headers=api_token("admin"),
                          json={"to": "nobody", "reason": "交代"})
    assert unknown.status_code == 422 and unknown.get_json()["error"] == "assignee_not_found"
