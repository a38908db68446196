"""Instance search: each filter narrows to the right instances, sorting and keyset pages, the page and the API."""

from __future__ import annotations

from datetime import timedelta

from engine.db import utcnow
from engine.evidence.search import InstanceQuery, decode_cursor, search_instances
from tests.support.flow import BACK

NO_BLOB = "0" * 64


def ids_of(product, **criteria) -> set[int]:
    with product.session_factory() as session:
        page = search_instances(session, InstanceQuery(per_page=200, **criteria))
        return {row.instance.id for row in page.rows}


def test_filters_by_status_flow_number_resident_clerk_lane_and_incident(product, driver):
    done = driver.register()
    waiting = driver.start(driver.fresh_resident())
    failed_resident = driver.fresh_resident()
    at_scan = driver.to_scan(failed_resident)
    failed = product.runner.complete(driver.open_task(at_scan.instance_id), BACK, {"scan_blob_id": NO_BLOB})
    assert failed.status == "error"

    assert done.instance_id in ids_of(product, status="completed")
    assert done.instance_id not in ids_of(product, status="running")
    assert waiting.instance_id in ids_of(product, status="running", process_id="sokuji_touroku")
    assert ids_of(product, registration_number=done.registration_number) == {done.instance_id}
    assert ids_of(product, resident_ids=(done.resident_id,)) == {done.instance_id}
    assert ids_of(product, resident_ids=()) == set()
    assert done.instance_id in ids_of(product, clerk="backyard")  # completed the scan task
    assert waiting.instance_id not in ids_of(product, clerk="backyard")
    assert waiting.instance_id in ids_of(product, lane="窓口")
    assert waiting.instance_id not in ids_of(product, lane="バックヤード")
    assert failed.instance_id in ids_of(product, incident="open")
    assert done.instance_id not in ids_of(product, incident="any")
    assert failed.instance_id not in ids_of(product, incident="none")
    just_before, just_after = utcnow() - timedelta(minutes=10), utcnow() + timedelta(minutes=1)
    assert done.instance_id in ids_of(product, started_from=just_before, started_to=just_after)
    assert done.instance_id not in ids_of(product, started_from=just_after)
    assert done.instance_id not in ids_of(product, started_to=just_before)


def test_sorting_and_keyset_pages_cover_every_row_once(product, driver):
    for _ in range(3):
        driver.start(driver.fresh_resident())
    with product.session_factory() as session:
        everything = [r.instance.id for r in search_instances(session, InstanceQuery(per_page=500)).rows]
        seen, after = [], None
        while True:
            page = search_instances(session, InstanceQuery(per_page=2, after=after))
            seen.extend(r.instance.id for r in page.rows)
            if not page.next_cursor:
                break
            after = decode_cursor(page.next_cursor)
        assert seen == everything and len(set(seen)) == len(seen)
        ascending = [r.instance.id for r in search_instances(session, InstanceQuery(per_page=500,
                                                                                   descending=False)).rows]
        assert ascending == list(reversed(everything))
        second = search_instances(session, InstanceQuery(per_page=2, after=decode_cursor(
            search_instances(session, InstanceQuery(per_page=2)).next_cursor)))
        back = search_instances(session, InstanceQuery(per_page=2, before=decode_cursor(second.prev_cursor)))
        assert [r.instance.id for r in back.rows] == everything[:2]


def test_search_page_filters_by_kana_and_shows_the_count(login, driver, product):
    done = driver.register()
    with product.session_factory() as session:
        person = product.juki(session).get_resident(done.resident_id)
    html = login("auditor").get("/instances", query_string={"kana": person.kana, "status": "completed"}
                                ).get_data(as_text=True)
    assert f'href="/instances/{done.instance_id}"' in html
    assert done.registration_number in html
    bad = login("auditor").get("/instances", query_string={"lane": "屋上", "from": "2026-13-01"})
    assert bad.status_code == 400
    assert "レーンの指定 屋上 は使えない" in bad.get_data(as_text=True)


def test_search_api_returns_rows_and_cursors(app, api_token, driver):
    done = driver.register()
    client = app.test_client()
    response = client.get("/api/v1/instances/search", headers=api_token("auditor"),
                          query_string={"number": done.registration_number})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [row["id"] for row in body["rows"]] == [done.instance_id]
    assert body["total"] == 1 and body["total_is_capped"] is False and body["rows"][0]["version"]
    refused = client.get("/api/v1/instances/search", headers=api_token("auditor"), query_string={"status": "x"})
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_parameter"


def test_beyond_the_cap_the_total_is_an_estimate(product, driver, monkeypatch):
    import engine.evidence.search

    for _ in range(2):
        driver.start(driver.fresh_resident())
    monkeypatch.setattr(engine.evidence.search, "COUNT_CAP", 1)
    with product.session_factory() as session:
        page = search_instances(session, InstanceQuery(per_page=5, status="running"))
        on_postgresql = session.get_bind().dialect.name == "postgresql"
    assert page.total == 1 and page.total_is_capped
    assert (page.total_estimate is not None and page.total_estimate >= 1) if on_postgresql \
        else page.total_estimate is None
