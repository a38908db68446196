"""POST /api/v1/juki/events: signed, authenticated, stored before anything else; bad input refused with a code."""

from __future__ import annotations

import json

import pytest

from tests.engine.test_intake import make_event
from tests.support.resident_events import process, received, record
from tests.webui.api_contract import BASE, assert_matches_openapi
from webui.api.juki_events import signature

PATH = "/juki/events"


KEY = "test-juki-event-key-0123456789"


@pytest.fixture
def post(client, app, api_token, monkeypatch):
    """post(body_bytes, role='admin', sign=True | 'header value') → response, with the shared key configured."""
    key = KEY
    monkeypatch.setitem(app.config, "JUKI_EVENT_KEY", KEY)

    def _post(body: bytes, role: str | None = "admin", sign: bool | str = True):
        headers = {"Content-Type": "application/json"} | (api_token(role) if role else {})
        if sign is True:
            headers["X-Juki-Signature"] = signature(key, body)
        elif sign:
            headers["X-Juki-Signature"] = sign
        return client.post(BASE + PATH, data=body, headers=headers)

    return _post


def body_of(event) -> bytes:
    return json.dumps(event.to_json(), ensure_ascii=False).encode("utf-8")


def test_signed_event_is_accepted_then_a_duplicate(post, product):
    event = make_event()
    first = post(body_of(event))
    assert first.status_code == 202
    assert assert_matches_openapi(first, PATH, "POST") == {"status": "accepted", "event_id": event.event_id}
    again = post(body_of(event))
    assert again.status_code == 200
    assert assert_matches_openapi(again, PATH, "POST")["status"] == "duplicate"
    row = received(product, event)
    assert row.source == "api" and row.outcome is None  # stored; the worker decides later


def test_recorded_death_sent_over_the_api_closes_the_record(post, product, driver):
    registered = driver.registered_person()
    events = record(product, "die", registered.resident_id)
    assert post(body_of(events[0])).status_code == 202
    process(product)
    assert received(product, events[0]).outcome == "started"
    with product.session_factory() as session:
        from registry.seals import records

        assert records.registration_by_number(session, registered.registration_number).status == "deleted"


@pytest.mark.parametrize(("sign", "status", "code"), [
    (False, 401, "signature_missing"),
    ("sha256=" + "0" * 64, 403, "signature_invalid"),
    ("md5=abc", 403, "signature_invalid"),
])
def test_missing_or_wrong_signature_is_refused_and_nothing_stored(post, product, sign, status, code):
    event = make_event()
    response = post(body_of(event), sign=sign)
    assert response.status_code == status
    body = assert_matches_openapi(response, PATH, "POST")
    assert body["error"] == code and "署名" in body["message"]
    assert received(product, event) is None


def test_signature_over_another_body_is_refused(post, client, api_token):
    event = make_event()
    other = body_of(make_event())
    headers = api_token("admin") | {"X-Juki-Signature": signature(KEY, other),
                                    "Content-Type": "application/json"}
    response = client.post(BASE + PATH, data=body_of(event), headers=headers)
    assert response.status_code == 403 and response.get_json()["error"] == "signature_invalid"


def test_without_a_shared_key_the_intake_is_closed(client, api_token, product):
    event = make_event()
    body = body_of(event)
    response = client.post(BASE + PATH, data=body, headers=api_token("admin") | {
        "X-Juki-Signature": signature("", body), "Content-Type": "application/json"})
    assert response.status_code == 403
    assert assert_matches_openapi(response, PATH, "POST")["error"] == "juki_events_closed"
    assert received(product, event) is None


@pytest.mark.parametrize("role", ["backyard", "manager", "auditor"])
def test_only_the_service_account_role_may_send(post, role):
    response = post(body_of(make_event()), role=role)
    assert response.status_code == 403
    assert assert_matches_openapi(response, PATH, "POST")["error"] == "forbidden"


def test_no_token_is_401(post):
    response = post(body_of(make_event()), role=None)
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


@pytest.mark.parametrize(("body", "words"), [
    (b"{not json", "JSON"),
    (b"[]", "JSONオブジェクト"),
    (json.dumps({"event_id": "e1", "kind": "teleport", "resident_id": "1", "effective_date": "2026-01-01",
                 "recorded_at": "2026-01-01T00:00:00"}).encode(), "teleport"),
    (json.dumps({"event_id": "e2", "kind": "death", "resident_id": "1", "effective_date": "01/01/2026",
                 "recorded_at": "2026-01-01T00:00:00"}).encode(), "日付"),
    (json.dumps({"kind": "death"}).encode(), "event_id"),
])
def test_malformed_body_is_422_with_a_japanese_message(post, body, words):
    response = post(body)
    assert response.status_code == 422
    payload = assert_matches_openapi(response, PATH, "POST")
    assert payload["error"] == "invalid_event" and words in payload["message"]
