"""4.1.5.1 scan, look, then decide (issue 15 point 1): a scan is read and shown on the task page before the task
completes; a bad scan is read again in the same task; only an explicit 却下 with a reason ends the application;
every scan read stays in the case's history."""

from __future__ import annotations

import io
import re

import imaging
from engine.evidence.audit import events_of_instance, summary_of
from engine.runtime.queries import get_task, instance_detail, open_tasks_of_instance
from tests.support.flow import COUNTER, IDENTIFY
from tests.support.seals import kim_scan

SMALL = dict(size_mm=6.0)
GOOD = dict(size_mm=15.0)


def read(client, task_id: int, data: bytes, dpi: str = ""):
    return client.post(f"/tasks/{task_id}/scan", content_type="multipart/form-data",
                       data={"scan_field": "scan_blob_id", "scan_dpi": dpi,
                             "scan_blob_id__file": (io.BytesIO(data), "scan.png", "image/png")})


def scan_task(driver) -> tuple[int, int]:
    outcome = driver.to_scan(driver.fresh_resident())
    return outcome.instance_id, driver.open_task(outcome.instance_id)


def readings(product, instance_id: int) -> list[dict]:
    with product.session_factory() as session:
        return [summary_of(e) for e in events_of_instance(session, instance_id) if e.kind == "scan_read"]


def test_a_too_small_scan_is_shown_before_completion_and_read_again_in_the_same_task(login, driver, product):
    instance_id, task_id = scan_task(driver)
    backyard = login("backyard")
    page = backyard.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert ">読み取る</button>" in page and f'data-scan-read="/tasks/{task_id}/scan"' in page

    response = read(backyard, task_id, imaging.make_seal_scan("山本", **SMALL))
    assert response.status_code == 302 and response.headers["Location"].startswith(f"/tasks/{task_id}")
    html = backyard.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "この読取結果では登録できません" in html  # the flash
    assert "小さすぎる" in html and re.search(r"\d\.\d mm 四方", html)
    assert "不適</span>" in html and ">読み直す</button>" in html
    assert re.search(r'value="proceed"\s+disabled', html), "a too-small scan cannot go on"
    assert "申請を却下する" in html
    with product.session_factory() as session:
        assert get_task(session, task_id).is_open  # nothing moved in the workflow

    read(backyard, task_id, imaging.make_seal_scan("山本", **GOOD))
    html = backyard.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "大きさ適正" in html and re.search(r"1[45]\.\d mm 四方", html)
    assert re.search(r'value="proceed"\s*>', html)
    kept = readings(product, instance_id)[-1]["result"]["scan_blob_id"]
    assert f'name="scan_blob_id" value="{kept}"' in html

    response = backyard.post(f"/tasks/{task_id}", data={"scan_blob_id": kept, "scan_decision": "proceed"})
    assert response.status_code == 302
    with product.session_factory() as session:
        (review,) = open_tasks_of_instance(session, instance_id)
        assert review.spec_name == "task_review"
        data = instance_detail(session, product.specs, instance_id).data
    assert data["impression"]["acceptable"] and data["impression"]["scan_blob_id"] == kept
    both = readings(product, instance_id)
    assert [r["result"]["too_small"] for r in both] == [True, False], "the discarded scan stays in the history"
    timeline = backyard.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert timeline.count(">印影の読取<") == 2
    assert re.search(r"読み取った印影: \d\.\d mm 四方・小さすぎる", timeline)
    assert re.search(r"読み取った印影: 1[45]\.\d mm 四方・大きさ適正", timeline)


def test_a_scan_whose_edges_cannot_be_trusted_shows_why_without_a_size_and_is_read_again(login, driver, product):
    """A frameless seal in a JPEG with half-resolution colour whose colour and brightness edges disagree (issue 16
    point 10): the clerk sees the reason, no size, and cannot go on with it; a good scan then goes on."""
    instance_id, task_id = scan_task(driver)
    backyard = login("backyard")
    read(backyard, task_id, kim_scan().data)
    html = backyard.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "登録できない" in html and "印影の輪郭がはっきりせず、大きさを正確に測れません。" in html
    assert "mm 四方</strong>" not in html, "no size is shown for an impression whose edges are unsure"
    assert re.search(r'value="proceed"\s+disabled', html)
    (first,) = readings(product, instance_id)
    assert first["result"]["square_mm"] is None
    assert [r["code"] for r in first["result"]["refusal_reasons"]] == ["unclear_edge"]

    read(backyard, task_id, imaging.make_seal_scan("山本", **GOOD))
    assert re.search(r'value="proceed"\s*>', backyard.get(f"/tasks/{task_id}").get_data(as_text=True))
    timeline = backyard.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "読み取った印影: 登録できない" in timeline and "不適: 印影の輪郭がはっきりせず" in timeline


def test_only_an_explicit_refusal_with_a_reason_ends_the_application(login, driver, product):
    instance_id, task_id = scan_task(driver)
    backyard = login("backyard")
    read(backyard, task_id, imaging.make_seal_scan("山本", **SMALL))
    sha = readings(product, instance_id)[-1]["result"]["scan_blob_id"]

    response = backyard.post(f"/tasks/{task_id}", data={"scan_blob_id": sha, "scan_decision": "refuse",
                                                        "scan_refusal_reason": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "「却下の理由」は必須です" in html and "<details class=\"scan-refuse\" open" in html

    backyard.post(f"/tasks/{task_id}", data={"scan_blob_id": sha, "scan_decision": "refuse",
                                             "scan_refusal_reason": "印鑑が欠けていて押し直しても小さい"})
    with product.session_factory() as session:
        (explain,) = open_tasks_of_instance(session, instance_id)
        assert explain.spec_name == "task_explain_refusal"
        data = instance_detail(session, product.specs, instance_id).data
    assert data["refusal"]["reason"] == "impression_out_of_size"
    assert "印鑑が欠けていて押し直しても小さい" in data["refusal"]["message"]


def test_completing_with_a_too_small_scan_comes_back_to_the_scan_not_to_a_refusal(login, driver, product):
    instance_id, task_id = scan_task(driver)
    backyard = login("backyard")
    data = imaging.make_seal_scan("山本", **SMALL)
    response = backyard.post(f"/tasks/{task_id}", content_type="multipart/form-data",
                             data={"scan_blob_id__file": (io.BytesIO(data), "scan.png", "image/png")})
    assert response.status_code == 302
    with product.session_factory() as session:
        (again,) = open_tasks_of_instance(session, instance_id)
    assert again.spec_name == "task_scan" and again.id != task_id


def test_reading_is_refused_for_other_lanes_and_for_what_is_not_an_image(login, driver, product):
    instance_id, task_id = scan_task(driver)
    counter = login("madoguchi")
    assert read(counter, task_id, imaging.make_seal_scan("山本", **GOOD)).status_code == 403
    backyard = login("backyard")
    response = backyard.post(f"/tasks/{task_id}/scan", content_type="multipart/form-data",
                             data={"scan_field": "scan_blob_id",
                                   "scan_blob_id__file": (io.BytesIO(b"plain text"), "scan.png", "image/png")})
    assert response.status_code == 302
    assert "画像ファイル" in backyard.get(f"/tasks/{task_id}").get_data(as_text=True)
    response = backyard.post(f"/tasks/{task_id}/scan", data={"scan_field": "nothing"})
    assert response.status_code == 302
    assert readings(product, instance_id) == []


def test_a_guarantors_stamp_is_read_for_comparison_before_the_identity_form_completes(login, driver, product):
    """保証書 (5.x): the stamp is read and shown without the 8–25 mm rule; the form then completes as before."""
    resident_id = driver.fresh_resident()
    outcome = driver.step(driver.start(resident_id), COUNTER, {"resident_id": resident_id} | IDENTIFY)
    clerk = login("madoguchi")
    page = clerk.get(f"/tasks/{outcome.next_task_id}").get_data(as_text=True)
    assert f'data-scan-read="/tasks/{outcome.next_task_id}/scan" value="guarantor_stamp_blob_id"' in page
    response = clerk.post(f"/tasks/{outcome.next_task_id}/scan", content_type="multipart/form-data",
                          data={"scan_field": "guarantor_stamp_blob_id", "guarantor_stamp_dpi": "",
                                "guarantor_stamp_blob_id__file": (io.BytesIO(imaging.make_seal_scan("山本", size_mm=6.0)),
                                                                  "stamp.png", "image/png")})
    assert response.status_code == 302
    html = clerk.get(f"/tasks/{outcome.next_task_id}").get_data(as_text=True)
    assert "照合できます" in html and "小さすぎる" not in html and "この印影で進む" not in html
    kept = readings(product, outcome.instance_id)[-1]["result"]["scan_blob_id"]
    assert f'name="guarantor_stamp_blob_id" value="{kept}"' in html
