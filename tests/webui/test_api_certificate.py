"""6.1 and 6.2.1 / 6.2.2 driven through /api/v1 alone: issued with the fee, suspended by phone (as 4.4.1.2 starts
it), refused while suspended, issued again after the lifting in person."""

from __future__ import annotations

import pytest

from tests.support.certificates import ensure_office_seal
from tests.webui.api_contract import Api
from tests.webui.test_api_flow import work


@pytest.fixture
def counter(client, api_token) -> Api:
    return Api(client, api_token("madoguchi"))


def request_certificate(counter: Api, resident_id: str, number: str) -> tuple[int, dict]:
    started = counter.post("/instances", 201, json={"process_id": "shomeisho_kofu", "data": {"resident_id": resident_id}})
    done = work(counter, "窓口", started["instance_id"],
                {"resident_id": resident_id, "applicant": "proxy", "card_kind": "registration_card",
                 "card_number": number, "copies": 1})
    return started["instance_id"], done


def test_issue_suspend_refuse_lift_issue_through_the_api(counter, driver, product):
    ensure_office_seal(product)
    person = driver.registered_person()
    instance_id, _ = request_certificate(counter, person.resident_id, person.registration_number)
    work(counter, "窓口", instance_id, {"fee_decision": "paid"}, shows=("check",))
    work(counter, "窓口", instance_id, {"handed_over": True}, shows=("certificates",))
    assert counter.get("/instances/{instance_id}", instance_id=instance_id)["end_event"] == "end_issued"

    start = {"resident_id": person.resident_id, "registration_number": person.registration_number,
             "reason": "亡失の届出（電話）", "by_phone": True}
    suspension = counter.post("/instances", 201, json={"process_id": "ichiji_teishi", "data": start})
    work(counter, "窓口", suspension["instance_id"],
         {"resident_id": person.resident_id, "channel": "phone", "reason_kind": "card_lost",
          "suspended_from": product.services.today().isoformat(), "caller_name": "本人",
          "identity_answers": ["birth_date", "address"]}, shows=("suspension_handover",))

    refused_id, _ = request_certificate(counter, person.resident_id, person.registration_number)
    task = work(counter, "窓口", refused_id, {"refusal_action": "close", "explained": True}, shows=("check",))
    assert counter.get("/instances/{instance_id}", instance_id=refused_id)["end_event"] == "end_refused", task

    lifting = counter.post("/instances", 201, json={"process_id": "teishi_kaijo",
                                                    "data": {"resident_id": person.resident_id}})
    work(counter, "窓口", lifting["instance_id"], {"resident_id": person.resident_id, "in_person": True,
                                                  "identity_document": "passport"}, shows=("suspension_state",))
    again_id, _ = request_certificate(counter, person.resident_id, person.registration_number)
    work(counter, "窓口", again_id, {"fee_decision": "paid"})
