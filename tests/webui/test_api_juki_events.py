"""POST /api/v1/juki/events: signed, authenticated, stored before anything else; bad input refused with a code."""

from __future__ import annotations

import json
import uuid

import pytest

from handlers.linkage.intake import get_received, receive
from juki.events import EVENT_KINDS
from tests.handlers.linkage.test_intake import make_event
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


def test_a_body_that_is_not_json_is_400(post):
    response = post(b"{not json")
    assert response.status_code == 400
    assert assert_matches_openapi(response, PATH, "POST")["error"] == "invalid_json"


@pytest.mark.parametrize(("body", "words"), [
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


# ---- the schema of every event kind (juki/event_schema.py) ------------------------------------------------------
GOOD_VALUES = {"name": "山田\u3000花子", "kana": "ヤマダ\u3000ハナコ", "address": "見本市中央一丁目2番3号",
               "household_id": "H0000123", "relationship": "世帯主", "status": "moved_out",
               "status_date": "2026-04-01", "common_name": "ハナ", "old_surname": "鈴木", "lacks_capacity": True,
               "birth_date": "1980-05-12", "sex": "女", "katakana_name": "ハナコ\u3000ヤマダ"}
WRONG_TYPES = {"lacks_capacity": "yes", "status": 1}  # every other field: a number, then a list


def test_every_kind_and_every_field_has_a_schema():
    from juki.event_schema import EVENT_SCHEMAS, FIELD_SCHEMAS, KIND_FIELDS
    from juki.events import CHANGE_FIELDS

    assert set(EVENT_SCHEMAS) == set(KIND_FIELDS) == set(EVENT_KINDS)
    assert set(FIELD_SCHEMAS) == set(CHANGE_FIELDS) == set(GOOD_VALUES)
    assert all(set(fields) <= set(CHANGE_FIELDS) for fields in KIND_FIELDS.values())


def event_of(kind: str, **overrides) -> dict:
    from juki.event_schema import KIND_FIELDS

    event = {"event_id": f"schema-{kind}-{uuid.uuid4().hex[:8]}", "kind": kind, "resident_id": "10000000017",
             "effective_date": "2026-04-01", "recorded_at": "2026-04-01T09:00:00+09:00",
             "changes": {field: {"before": None, "after": GOOD_VALUES[field]} for field in KIND_FIELDS[kind]}}
    if kind == "cancellation":
        event["cancels_event_id"] = "sim-0123456789abcdef"
    return event | overrides


def first_text_field(kind: str) -> str | None:
    from juki.event_schema import FIELD_SCHEMAS, KIND_FIELDS

    return next((f for f in KIND_FIELDS[kind] if "maxLength" in FIELD_SCHEMAS[f]), None)


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_every_kind_is_checked_against_its_schema_before_storage(post, product, kind):
    from juki.event_schema import FIELD_SCHEMAS, KIND_FIELDS

    good = event_of(kind)
    assert post(json.dumps(good).encode()).status_code == 202, kind
    field = KIND_FIELDS[kind][0]
    bad_events = {
        "wrong type": event_of(kind, changes={field: {"before": None, "after": WRONG_TYPES.get(field, 12345)}}),
        "a list": event_of(kind, changes={field: {"before": None, "after": [GOOD_VALUES[field]]}}),
        "bad date": event_of(kind, effective_date="2026-02-30"),
        "date in another form": event_of(kind, effective_date="01/04/2026"),
        "long event_id": event_of(kind, event_id="e" * 101),
        "long resident_id": event_of(kind, resident_id="1" * 41),
        "a field the kind does not carry": event_of(kind, changes={"no_such_field": {"after": "x"}}),
    }
    if (text := first_text_field(kind)) is not None:
        too_long = "長" * (FIELD_SCHEMAS[text]["maxLength"] + 1)
        bad_events["too long"] = event_of(kind, changes={text: {"before": None, "after": too_long}})
        bad_events["a control character"] = event_of(kind, changes={text: {"before": None, "after": "改\n行"}})
    if kind == "cancellation":
        bad_events["long cancels_event_id"] = event_of(kind, cancels_event_id="c" * 101)
    for what, event in bad_events.items():
        response = post(json.dumps(event, ensure_ascii=False).encode())
        assert response.status_code == 422, (kind, what, response.get_data(as_text=True))
        body = assert_matches_openapi(response, PATH, "POST")
        assert body["error"] == "invalid_event" and "異動通知" in body["message"], (kind, what)
        with product.session_factory() as session:
            assert get_received(session, event["event_id"][:100]) is None, (kind, what)


def test_a_wrong_type_never_reaches_the_record(post, product, driver):
    registered = driver.register()
    event = event_of("address_renamed", resident_id=registered.resident_id,
                     changes={"address": {"before": "旧", "after": 12345}})
    response = post(json.dumps(event).encode())
    assert response.status_code == 422
    assert "住所" in response.get_json()["message"] and "address" in response.get_json()["message"]
    huge = event_of("address_renamed", resident_id=registered.resident_id,
                    changes={"address": {"before": "旧", "after": "長" * 1_000_000}})
    assert post(json.dumps(huge, ensure_ascii=False).encode()).status_code == 422
    process(product)
    with product.session_factory() as session:
        from registry.seals import records

        record = records.registration_by_number(session, registered.registration_number)
        assert isinstance(record.address, str) and record.address != "12345" and len(record.address) < 300


def test_the_intake_itself_refuses_what_the_schema_refuses(product):
    from juki.errors import InvalidQuery

    event = make_event(changes={"address": {"before": "旧", "after": ["一", "二"]}})
    with product.session_factory.begin() as session, pytest.raises(InvalidQuery):
        receive(session, event, source="test")
    assert received(product, event) is None
