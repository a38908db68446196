"""The 保証書 at the counter and in the back office: the stamp uploaded on the identity form (an unmeasurable
scan refused with 422 and nothing stored, also through the API), the 要確認 task showing the overlay, the limits'
configuration."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

import imaging
from engine.runtime.queries import get_task
from registry.blobs.models import Blob
from tests.support.flow import COUNTER, IDENTIFY
from tests.webui.api_contract import Api
from webui import create_app
from webui.config import ConfigurationError

STAMP_FIELD = "guarantor_stamp_blob_id"


def at_identity(driver):
    resident_id = driver.fresh_resident()
    return driver.step(driver.start(resident_id), COUNTER, {"resident_id": resident_id} | IDENTIFY)


def blob_count(product) -> int:
    with product.session_factory() as session:
        return session.scalar(select(func.count()).select_from(Blob))


def post_identity(client, task_id: int, guarantor_number: str, scan: bytes):
    return client.post(f"/tasks/{task_id}", content_type="multipart/form-data", data={
        "applicant": "self", "identity_path": "guarantee", "guarantor_registration_number": guarantor_number,
        f"{STAMP_FIELD}__file": (io.BytesIO(scan), "hoshosho.png", "image/png"), "guarantor_stamp_dpi": ""})


def test_the_identity_form_asks_for_the_stamp_scan_not_a_checkbox(login, driver):
    task_id = at_identity(driver).next_task_id
    html = login("madoguchi").get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and f'name="{STAMP_FIELD}__file"' in html
    assert "保証書の保証人の押印（スキャン画像）" in html and "guarantor_seal_checked" not in html


def test_an_unmeasurable_stamp_scan_is_refused_with_422_and_nothing_is_stored(login, driver, product):
    guarantor = driver.registered_person()
    task_id = at_identity(driver).next_task_id
    before = blob_count(product)
    response = post_identity(login("madoguchi"), task_id, guarantor.registration_number, imaging.make_blank_scan())
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(rf'id="field-{STAMP_FIELD}".*?印影を読み取れません（.+?）。押印全体が写るように読み直してください',
                     html, re.S)
    assert blob_count(product) == before
    with product.session_factory() as session:
        assert get_task(session, task_id).is_open


def _instance_of(session, task_id: int) -> int:
    return get_task(session, task_id).instance_id


def test_an_unmeasurable_stamp_is_refused_through_the_api_too(client, api_token, driver, product):
    guarantor = driver.registered_person()
    task_id = at_identity(driver).next_task_id
    counter = Api(client, api_token("madoguchi"))
    blank = counter.post("/blobs", 201, data={"file": (io.BytesIO(imaging.make_blank_scan()), "b.png", "image/png")},
                         content_type="multipart/form-data")
    body = counter.post("/tasks/{task_id}/complete", 422, task_id=task_id, json={"data": {
        "applicant": "self", "identity_path": "guarantee", "guarantor_registration_number": guarantor.registration_number,
        STAMP_FIELD: blank["sha256"]}})
    assert body["error"] == "invalid_form" and "印影を読み取れません" in body["errors"][STAMP_FIELD]
    assert counter.get("/tasks/{task_id}", task_id=task_id)["is_open"] is True


def test_an_unsure_stamp_shows_the_back_office_the_overlay_and_both_impressions(login, driver, product):
    guarantor = driver.registered_person(seal_text="登録", size_mm=15.0)
    task_id = at_identity(driver).next_task_id
    counter = login("madoguchi")
    response = post_identity(counter, task_id, guarantor.registration_number,
                             imaging.make_seal_scan("登緑", size_mm=15.0))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with product.session_factory() as session:
        instance_id = _instance_of(session, task_id)
    back_task = driver.open_task(instance_id)
    html = login("backyard").get(f"/tasks/{back_task}").get_data(as_text=True)
    assert "保証書の押印の確認（要確認）" in html and 'data-verdict="unsure"' in html and "要確認（職員が判断）" in html
    assert "赤＝保証書の押印" in html and f"登録番号 {guarantor.registration_number}" in html
    assert len(re.findall(r'alt="印影(保証書の押印|保証人の登録印影)"', html)) == 2  # both at true size
    assert 'alt="重ね合わせ（赤＝保証書の押印、青＝登録印影）"' in html
    assert 'name="guarantor_stamp_decision" value="match"' in html and 'name="guarantor_stamp_reason"' in html
    refused = login("madoguchi").post(f"/tasks/{back_task}", data={"guarantor_stamp_decision": "match",
                                                                    "guarantor_stamp_reason": "一致"})
    assert refused.status_code == 403  # a バックヤード task


@pytest.mark.parametrize(("per_day", "per_year"), [(0, 12), (2, 1), ("x", 12), (101, 200)])
def test_the_guarantor_limits_are_checked_at_start_up(database_url, per_day, per_year):
    with pytest.raises(ConfigurationError, match="INKAN_GUARANTOR_PER_DAY"):
        create_app({"DATABASE_URL": database_url, "GUARANTOR_PER_DAY": per_day, "GUARANTOR_PER_YEAR": per_year})


def test_the_default_limits_are_one_a_day_and_twelve_a_year(product):
    limits = product.services.settings.guarantee_limits
    assert (limits.per_day, limits.per_year) == (1, 12)
