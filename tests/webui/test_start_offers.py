"""Issue 15 point 4, no accidental cases: a flow is offered to, and started for, only a person who can use it — every
shipped flow × the three kinds of "why not" (under 15, already registered, not resident), on the pages and the
API; and every start from a page asks for confirmation first."""

from __future__ import annotations

import re

import pytest

from engine.library.catalog import list_active_definitions
from engine.models import ProcessInstance
from handlers.services.start_offers import ON_RECORD, REGISTRATION
from juki import DEMO_RESIDENTS
from tests.webui.api_contract import Api

CHILD, MOVED_OUT = DEMO_RESIDENTS["child_under_15"], DEMO_RESIDENTS["moved_out"]


@pytest.fixture
def api(client, api_token):
    return lambda role: Api(client, api_token(role))


def expected_refusal(process_id: str, kind: str) -> str | None:
    """The short reason a page shows, or None when the flow may be started for this kind of person."""
    if process_id in REGISTRATION:
        return {"under_15": "15歳未満", "registered": "登録済み", "not_resident": "市内に住所なし"}[kind]
    if process_id in ON_RECORD:
        return {"under_15": "印鑑登録なし", "registered": None, "not_resident": "市内に住所なし"}[kind]
    return None


@pytest.fixture
def people(driver):
    return {"under_15": CHILD, "registered": driver.registered_person().resident_id, "not_resident": MOVED_OUT}


def instance_count(product) -> int:
    with product.session_factory() as session:
        return session.query(ProcessInstance).count()


def test_every_flow_is_offered_and_started_only_for_who_can_use_it(login, api, product, people):
    with product.session_factory() as session:
        process_ids = [d.process_id for d in list_active_definitions(session)]
    assert set(process_ids) >= REGISTRATION | ON_RECORD
    clerk, counter = login("madoguchi"), api("madoguchi")
    before = instance_count(product)
    for kind, resident_id in people.items():
        page = clerk.get("/start", query_string={"resident_id": resident_id}).get_data(as_text=True)
        for process_id in process_ids:
            why_not = expected_refusal(process_id, kind)
            row = page.split(f'action="/start/{process_id}"')[0].rsplit("<tr>", 1)[-1] \
                if f'action="/start/{process_id}"' in page else None
            response = clerk.post(f"/start/{process_id}", data={"resident_id": resident_id})
            if why_not is None:
                assert row is not None, (process_id, kind)
                assert response.status_code == 302, (process_id, kind)
                assert response.headers["Location"].startswith(f"/start/{process_id}/confirm"), (process_id, kind)
                continue
            assert row is None, f"{process_id} is offered to {kind}"
            assert f"開始できません（{why_not}）" in page, (process_id, kind)
            assert response.status_code == 422, (process_id, kind)
            assert why_not in response.get_data(as_text=True), (process_id, kind)
            body = counter.post("/instances", 422, json={"process_id": process_id, "data": {"resident_id": resident_id}})
            assert body["error"] == "start_not_allowed" and why_not in body["message"], (process_id, kind)
            assert "resident_id" in body["errors"]
    assert instance_count(product) == before, "no refused start and no unconfirmed start created a case"


def test_the_search_list_offers_4_1_2_only_to_who_may_register_and_says_why_not(login, driver, people):
    clerk = login("madoguchi")
    fresh = driver.fresh_resident()
    for kind, resident_id in people.items() | {("eligible", fresh)}:
        html = clerk.get("/residents", query_string={"resident_id": resident_id, "include_former": "1"}).get_data(
            as_text=True)
        assert resident_id in html, kind
        if kind == "eligible":
            assert "即時登録を開始" in html
        else:
            assert "即時登録を開始" not in html, kind
            assert f"即時登録不可（{expected_refusal('sokuji_touroku', kind)}）" in html, kind


def test_a_start_asks_for_confirmation_and_enter_in_the_resident_box_starts_nothing(login, driver, product):
    resident_id = driver.fresh_resident()
    clerk = login("madoguchi")
    before = instance_count(product)
    response = clerk.post("/start/sokuji_touroku", data={"resident_id": resident_id})  # what Enter sends
    assert response.status_code == 302 and instance_count(product) == before
    confirm = clerk.get(response.headers["Location"])
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "業務の開始の確認" in html and "4.1.2 即時登録" in html
    assert resident_id in html and 'name="confirmed" value="1"' in html and ">開始する<" in html
    response = clerk.post("/start/sokuji_touroku", data={"resident_id": resident_id, "confirmed": "1"})
    assert response.status_code == 302 and re.fullmatch(r"/tasks/\d+", response.headers["Location"])
    assert instance_count(product) == before + 1


def test_the_confirmation_page_refuses_a_person_who_cannot_use_the_flow(login):
    response = login("madoguchi").get("/start/sokuji_touroku/confirm", query_string={"resident_id": CHILD})
    assert response.status_code == 422 and "15歳未満" in response.get_data(as_text=True)
