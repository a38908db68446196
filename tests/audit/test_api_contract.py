"""The auditors' API answers what /api/v1/openapi.json documents (shapes checked against the document)."""

from __future__ import annotations

from tests.support.flow import BACK
from tests.webui.api_contract import assert_matches_openapi

NO_BLOB = "0" * 64


def test_timeline_search_chains_reports_and_access_log_match_the_document(app, api_token, driver, product):
    registered = driver.register()
    client, auditor = app.test_client(), api_token("auditor")
    timeline = assert_matches_openapi(client.get(f"/api/v1/instances/{registered.instance_id}/timeline",
                                                 headers=auditor), "/instances/{instance_id}/timeline", "GET")
    kinds = [event["kind"] for event in timeline["events"]]
    assert kinds[0] == "start" and "service_call" in kinds and "complete" in kinds
    assert any(event["step_data"] and "resident_id" in event["step_data"] for event in timeline["events"])
    assert any(event["neighbour"] == "住民記録（住基）" for event in timeline["events"])
    assert all(event["row_hash"] for event in timeline["events"])
    assert [h["reason"] for h in timeline["history"]][:1] == ["登録"] and timeline["history"][0]["chain_seq"]
    assert any("確認票" in d["kind"] for d in timeline["documents"])
    search = assert_matches_openapi(client.get("/api/v1/instances/search", headers=auditor,
                                               query_string={"resident_id": registered.resident_id}),
                                    "/instances/search", "GET")
    assert [row["id"] for row in search["rows"]] == [registered.instance_id]
    chains = assert_matches_openapi(client.get("/api/v1/audit/chains", headers=auditor), "/audit/chains", "GET")
    assert {c["chain"] for c in chains} == {"audit_event", "registration_history", "access_log"}
    assert all(c["ok"] for c in chains)
    assert_matches_openapi(client.get("/api/v1/audit/reports", headers=auditor), "/audit/reports", "GET")
    assert_matches_openapi(client.get("/api/v1/audit/access-log", headers=auditor), "/audit/access-log", "GET")
    missing = client.get("/api/v1/instances/987654/timeline", headers=auditor)
    assert_matches_openapi(missing, "/instances/{instance_id}/timeline", "GET")
    assert missing.status_code == 404


def test_operations_match_the_document(app, api_token, driver, product):
    at_scan = driver.to_scan(driver.fresh_resident())
    failed = product.runner.complete(driver.open_task(at_scan.instance_id), BACK, {"scan_blob_id": NO_BLOB})
    client, admin = app.test_client(), api_token("admin")
    path = "/instances/{instance_id}/suspend"
    body = assert_matches_openapi(client.post(f"/api/v1/instances/{failed.instance_id}/suspend", headers=admin,
                                              json={"reason": "障害調査"}), path, "POST")
    assert body["status"] == "suspended"
    resumed = assert_matches_openapi(client.post(f"/api/v1/instances/{failed.instance_id}/resume", headers=admin,
                                                 json={"reason": "調査完了"}),
                                     "/instances/{instance_id}/resume", "POST")
    assert resumed["status"] == "error"  # the open incident is still there: retry comes next
    refused = client.post(f"/api/v1/instances/{failed.instance_id}/terminate", headers=api_token("auditor"),
                          json={"reason": "x"})
    assert_matches_openapi(refused, "/instances/{instance_id}/terminate", "POST")
    assert refused.status_code == 403
