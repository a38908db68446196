"""Every route × every role (and anonymous), with real ids, unknown ids and junk: never a 500, and the
answers a role should get: anonymous → login or 401, auditors never change anything."""

from __future__ import annotations

import re

import pytest

from conftest import ROLES
from juki import DEMO_RESIDENTS

JUNK_QUERY = "?kana=%FF%FE&birth_date=2026-13-45&page=-1&per_page=abc&lane=%E2%80%8B&status=bogus&q=%27%22%3C"


@pytest.fixture(scope="module")
def ids(app, product, tmp_path_factory):
    from tests.support.flow import RegistrationDriver

    registered = RegistrationDriver(product).register()
    with product.session_factory() as session:
        from engine.queries import instance_detail

        detail = instance_detail(session, product.specs, registered.instance_id)
    return {
        "task_id": str(detail.tasks[0].id), "instance_id": str(registered.instance_id),
        "incident_id": "999999", "process_id": "sokuji_touroku", "resident_id": registered.resident_id,
        "sha": detail.data["confirmation"]["document_blob_id"], "sha256": detail.data["confirmation"]["document_blob_id"],
        "number": registered.registration_number, "filename": "bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
    }


UNKNOWN = {"task_id": "987654", "instance_id": "987654", "incident_id": "987654", "process_id": "nope",
           "resident_id": "00000000000", "sha": "0" * 64, "sha256": "0" * 64, "number": "99999999",
           "filename": "../../etc/passwd"}
JUNK = {"task_id": "0", "instance_id": "0", "incident_id": "0", "process_id": "%E2%80%8B<x>",
        "resident_id": "<script>", "sha": "zz", "sha256": "..%2F..", "number": "%00", "filename": "%2e%2e/x"}


def urls(app, values: dict) -> list[tuple[str, str]]:
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, url))
    return out


def client_for(app, login, api_token, role):
    if role == "anonymous":
        return app.test_client(), {}
    return login(role), api_token(role)


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
@pytest.mark.parametrize("which", ["real", "unknown", "junk"])
def test_no_route_answers_500(app, login, api_token, ids, role, which):
    values = {"real": ids, "unknown": UNKNOWN, "junk": JUNK}[which]
    client, headers = client_for(app, login, api_token, role)
    for method, url in urls(app, values):
        if url == "/logout":
            continue  # would end the session the loop uses
        for suffix in ("", JUNK_QUERY):
            response = client.open(url + suffix, method=method, headers=headers if url.startswith("/api/") else {},
                                   data={"resident_id": DEMO_RESIDENTS["eligible"], "x": "\x00"})
            assert response.status_code < 500, (method, url + suffix, response.status_code,
                                                response.get_data(as_text=True)[:300])
            if role == "anonymous" and not url.startswith(("/login", "/api/v1/openapi.json")):
                assert response.status_code in (302, 400, 401, 404, 405), (method, url, response.status_code)
            if role == "auditor" and method == "POST" and not url.startswith("/login"):
                assert response.status_code in (400, 403, 404, 405, 422), (method, url, response.status_code)


def test_nul_characters_are_refused_in_japanese(app, api_token, login):
    response = app.test_client().post("/api/v1/instances", headers=api_token("madoguchi"),
                                      json={"process_id": "sokuji_touroku", "data": {"resident_id": "1\u0000"}})
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_character",
                                   "message": "入力に使用できない文字（NUL）が含まれています"}
    page = login("madoguchi").get("/residents?kana=%00")
    assert page.status_code == 400 and "NUL" in page.get_data(as_text=True)
