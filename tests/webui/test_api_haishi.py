"""4.4.1 廃止の申請・亡失 driven through /api/v1 alone: a 亡失 by a proxy closes the record as 廃止 with the
4.4.1.3 sheet; a proxy without 委任状 is refused and the record stays as it was."""

from __future__ import annotations

import pytest

from tests.webui.api_contract import Api
from tests.webui.test_api_flow import work


@pytest.fixture
def api(client, api_token):
    return lambda role: Api(client, api_token(role))


def start(counter: Api, resident_id: str, request: dict) -> int:
    started = counter.post("/instances", 201, json={"process_id": "haishi", "data": {"resident_id": resident_id}})
    work(counter, "窓口", started["instance_id"], {"resident_id": resident_id} | request)
    return started["instance_id"]


PROXY = {"applicant": "proxy", "proxy_name": "代理 花子", "identity_document": "driving_licence",
         "identity_checked": True}


def test_a_loss_reported_by_a_proxy_abolishes_the_record_through_the_api(api, driver):
    counter = api("madoguchi")
    person = driver.registered_person()
    instance_id = start(counter, person.resident_id, {"request_kind": "lost", "lost_item": "both"})
    outcome = work(counter, "窓口", instance_id, PROXY | {"power_of_attorney": True},
                   shows=("resident", "haishi_registration"))
    assert outcome["status"] == "completed"
    detail = counter.get("/instances/{instance_id}", instance_id=instance_id)
    assert detail["end_event"] == "end_abolished"
    record = counter.get("/registrations/{number}", number=person.registration_number)
    assert (record["status"], record["close_reason"]) == ("abolished", "亡失: 印鑑・印鑑登録証")
    assert record["history"][-1]["reason"] == "廃止（亡失: 印鑑・印鑑登録証）"
    assert any("除票" in d["kind"] for d in record["documents"])


def test_a_proxy_without_power_of_attorney_is_refused_through_the_api(api, driver):
    counter = api("madoguchi")
    person = driver.registered_person()
    instance_id = start(counter, person.resident_id, {"request_kind": "return", "card_number": person.registration_number})
    work(counter, "窓口", instance_id, PROXY | {"power_of_attorney": False, "card_collected": True})
    outcome = work(counter, "窓口", instance_id, {"explained": True}, shows=("haishi_refusal",))
    assert outcome["status"] == "completed"
    detail = counter.get("/instances/{instance_id}", instance_id=instance_id)
    assert detail["end_event"] == "end_refused"
    assert detail["data"]["refusal"]["reason"] == "proxy_without_power_of_attorney"
    record = counter.get("/registrations/{number}", number=person.registration_number)
    assert record["status"] == "registered" and record["closed_on"] is None
    assert not any(e["reason"].startswith("廃止") for e in record["history"])
