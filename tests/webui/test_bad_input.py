"""Every bad input gets a 4xx with a Japanese message and a code, on pages and API — never a 500, never half
written: ids out of range, paging values, lengths, NUL and lone surrogates in any body or query, deep JSON, the
wrong content type, unknown sort / order / cursors (issue 13 point 1)."""

from __future__ import annotations

import io
import json
import re

import pytest

from juki import DEMO_RESIDENTS
from tests.webui.api_contract import BASE, assert_matches_openapi
from webui.api.juki_events import SIGNATURE_HEADER, signature
from webui.api.openapi import openapi_document

OUT_OF_RANGE = ("2147483648", "9223372036854775807", "99999999999999999999999999", "-1", "1e3", "0x10")
PAGING_JUNK = ("9223372036854775807", "-1", "0", "abc", "1.5", "２", "100001")


def int_rules(app) -> list[tuple[str, str]]:
    """(method, rule) of every route that takes an id in its path."""
    return [(method, rule.rule) for rule in app.url_map.iter_rules() if "<int:" in rule.rule
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_ids_out_of_range_are_404_on_every_route(app, login, api_token, value):
    page, token = login("admin"), api_token("admin")
    rules = int_rules(app)
    assert len(rules) > 40
    for method, rule in rules:
        url = re.sub(r"<int:\w+>", value, re.sub(r"<(?!int:)(?:\w+:)?(\w+)>", "x", rule))
        response = page.open(url, method=method, headers=token if url.startswith("/api/") else {})
        assert response.status_code == 404, (method, url, response.status_code)
        if url.startswith("/api/"):
            assert response.get_json()["error"] == "not_found"


@pytest.mark.parametrize("value", PAGING_JUNK)
def test_paging_values_are_refused_by_name(app, login, api_token, value):
    api = app.test_client()
    for path in ("/inbox", "/instances", "/audit/access-log"):
        for name in ("page", "per_page"):
            response = api.get(BASE + path, query_string={name: value}, headers=api_token("admin"))
            body = assert_matches_openapi(response, path, "GET")
            assert response.status_code == 400 and body["error"] == "invalid_parameter", (path, name, value)
            assert name in body["message"] and body["errors"] == {name: body["message"]}
    response = api.get(BASE + "/residents", query_string={"kana": "ヤマダ", "page": value}, headers=api_token("admin"))
    assert response.status_code == 400 and "page" in response.get_json()["message"]
    for page in ("/", "/residents?kana=ヤマダ&", "/audit/access?"):
        answer = login("admin").get(f"{page}{'&' if '?' in page else '?'}page={value}")
        assert answer.status_code == 400 and "page は" in answer.get_data(as_text=True), (page, value)


def test_strings_longer_than_their_columns_are_422_naming_the_field(client, api_token):
    clerk, admin = api_token("madoguchi"), api_token("admin")
    cases = [
        (clerk, "/instances", {"process_id": "p" * 101}, "process_id"),
        (clerk, "/instances", {"process_id": "sokuji_touroku", "data": {"resident_id": "1" * 41}}, "resident_id"),
        (clerk, "/instances", {"process_id": "sokuji_touroku", "data": {"reason": "理" * 201}}, "reason"),
        (clerk, "/instances", {"process_id": "sokuji_touroku", "data": {"registration_number": "9" * 21}},
         "registration_number"),
        (admin, "/instances/1/suspend", {"reason": "理" * 501}, "reason"),
        (admin, "/tasks/1/reassign", {"to": "u" * 101, "reason": "交代"}, "to"),
    ]
    for token, path, body, field in cases:
        response = client.post(BASE + path, json=body, headers=token)
        assert response.status_code == 422, (path, field, response.get_data(as_text=True))
        answer = response.get_json()
        assert field in answer["errors"] and field in answer["message"], (path, answer)


BAD_TEXTS = {"NUL": "a\u0000b", "lone surrogate": "a\ud800b", "low surrogate": "\udfff"}


@pytest.mark.parametrize("what", BAD_TEXTS)
def test_nul_and_surrogates_are_refused_in_every_body_and_query(app, login, api_token, what):
    text = BAD_TEXTS[what]
    escaped = json.dumps({"process_id": "sokuji_touroku", "data": {"resident_id": text}}).encode()  # "\ud800"
    api, token = app.test_client(), api_token("madoguchi")
    raw_utf8 = text.encode("utf-8", "surrogatepass")  # a surrogate sent as (invalid) UTF-8 bytes
    sends = [
        ("json", lambda: api.post(BASE + "/instances", data=escaped, content_type="application/json", headers=token)),
        ("text/plain", lambda: api.post(BASE + "/instances", data=escaped, content_type="text/plain", headers=token)),
        ("octet", lambda: api.post(BASE + "/tasks/1/complete", data=b'{"data":{"x":"' + raw_utf8 + b'"}}',
                                   content_type="application/octet-stream", headers=token)),
        ("query", lambda: api.get(BASE + "/inbox?lane=" + _quoted(raw_utf8), headers=token)),
        ("form", lambda: login("madoguchi").post("/start/sokuji_touroku", data=b"resident_id=" + _quoted(raw_utf8).encode(),
                                                 content_type="application/x-www-form-urlencoded")),
        ("multipart", lambda: login("backyard").post("/tasks/1", content_type="multipart/form-data",
                                                     data={"note": text, "f": (io.BytesIO(b"x"), "a.png")})),
        ("multipart filename", lambda: api.post(BASE + "/blobs", content_type="multipart/form-data", headers=token,
                                                data={"file": (io.BytesIO(b"x"), f"scan{text}.png")})),
        ("juki event", lambda: api.post(BASE + "/juki/events", data=escaped.replace(b"sokuji_touroku", b"move_out"),
                                        content_type="application/json", headers=api_token("admin"))),
    ]
    for name, send in sends:
        if what != "NUL" and name in ("multipart", "multipart filename"):  # the test client cannot encode them
            continue
        response = send()
        assert response.status_code == 400, (what, name, response.status_code, response.get_data(as_text=True)[:200])
        assert "invalid_character" in response.get_data(as_text=True) or "使用できない文字" in response.get_data(
            as_text=True), (what, name)


def _quoted(raw: bytes) -> str:
    return "".join(f"%{b:02X}" for b in raw)


def test_deep_json_is_refused_before_parsing(client, api_token):
    token = api_token("madoguchi")
    for depth in (65, 1000, 50_000):
        body = b"[" * depth + b"]" * depth
        response = client.post(BASE + "/instances", data=body, content_type="application/json", headers=token)
        assert response.status_code == 400 and response.get_json()["error"] == "json_too_deep", depth
    nested = b'{"process_id":"sokuji_touroku","data":' + b'{"a":' * 62 + b"1" + b"}" * 63  # 64 levels: parsed
    response = client.post(BASE + "/instances", data=nested, content_type="application/json", headers=token)
    assert response.status_code == 422 and response.get_json()["error"] == "invalid_start_data"
    strings = b'{"process_id":"' + b"[" * 5000 + b'"}'  # brackets inside a string do not nest
    assert client.post(BASE + "/instances", data=strings, content_type="application/json",
                       headers=token).status_code == 422


def json_operations() -> list[tuple[str, str]]:
    paths = openapi_document()["paths"]
    return [(method.upper(), path) for path, item in paths.items() for method, op in item.items()
            if "application/json" in op.get("requestBody", {}).get("content", {})]


@pytest.mark.parametrize(("method", "path"), json_operations())
def test_every_json_operation_refuses_another_content_type(app, client, api_token, monkeypatch, method, path):
    url = BASE + re.sub(r"\{\w+\}", "1", path)
    admin_only = path == "/juki/events" or path.endswith(("/suspend", "/resume", "/terminate", "/reassign"))
    headers = dict(api_token("admin" if admin_only else "manager"))
    body = b'{"reason": "x"}'
    if path == "/juki/events":  # the signature is checked first: sign the body so the content type is what fails
        monkeypatch.setitem(app.config, "JUKI_EVENT_KEY", "content-type-test-key-0123")
        headers[SIGNATURE_HEADER] = signature("content-type-test-key-0123", body)
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        response = client.open(url, method=method, data=body, content_type=content_type, headers=headers)
        assert response.status_code == 415, (method, path, content_type, response.status_code)
        assert assert_matches_openapi(response, path, method)["error"] == "unsupported_media_type"


@pytest.mark.parametrize(("name", "value"), [
    ("sort", "id; DROP TABLE"), ("sort", "STARTED"), ("order", "sideways"), ("after", "garbage"),
    ("before", "2026-04-01T00:00:00_99999999999"), ("after", "2026-04-01T00:00:00+09:00_1"), ("version", "v1"),
    ("from", "2026-02-30"), ("to", "1800-01-01"), ("status", "bogus"),
])
def test_unknown_search_values_are_refused_not_ignored(client, login, api_token, name, value):
    response = client.get(BASE + "/instances/search", query_string={name: value}, headers=api_token("auditor"))
    body = assert_matches_openapi(response, "/instances/search", "GET")
    assert response.status_code == 400 and body["error"] == "invalid_parameter" and body["message"], (name, value)
    page = login("auditor").get("/instances", query_string={name: value})
    assert page.status_code == 400


def test_a_start_with_an_unknown_or_malformed_resident_leaves_nothing(client, api_token, product):
    from sqlalchemy import func, select

    from engine.models import ProcessInstance

    def instances() -> int:
        with product.session_factory() as session:
            return session.scalar(select(func.count()).select_from(ProcessInstance))

    before = instances()
    token = api_token("madoguchi")
    for data, field in (({"resident_id": "99999999999"}, "resident_id"), ({"resident_id": 10000000017}, "resident_id"),
                        ({"resident_id": "😀"}, "resident_id"), ({"resident_id": "1" * 41}, "resident_id"),
                        ({"registration_number": "00000000"}, "registration_number"), ({"by_phone": "yes"}, "by_phone"),
                        ({"reason": "改\n行"}, "reason"), ({"unknown": 1}, "unknown")):
        response = client.post(BASE + "/instances", json={"process_id": "sokuji_touroku", "data": data}, headers=token)
        body = assert_matches_openapi(response, "/instances", "POST")
        assert response.status_code == 422 and body["error"] == "invalid_start_data", data
        assert list(body["errors"]) == [field] and field in body["message"], body
    assert instances() == before
    started = client.post(BASE + "/instances", json={"process_id": "sokuji_touroku",
                                                     "data": {"resident_id": DEMO_RESIDENTS["eligible"]}},
                          headers=token)
    assert started.status_code == 201 and instances() == before + 1


def test_the_start_page_refuses_an_unknown_resident_with_the_reason(login, product):
    from sqlalchemy import func, select

    from engine.models import ProcessInstance

    with product.session_factory() as session:
        before = session.scalar(select(func.count()).select_from(ProcessInstance))
    response = login("madoguchi").post("/start/sokuji_touroku", data={"resident_id": "99999999999"})
    assert response.status_code == 422 and "住民ID）99999999999 の住民は住民記録にありません" in response.get_data(
        as_text=True)
    with product.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == before
