"""One JSON line per request: request id (kept when sane, echoed), user, role, method, URL rule, status, time; no
path, query string or body, which would put personal data in the log."""

from __future__ import annotations

import json
import logging
import re

import pytest

from juki import DEMO_RESIDENTS
from webui.request_log import HEADER, LOGGER

FIELDS = {"time", "request_id", "user", "role", "method", "route", "status", "duration_ms", "cpu_ms", "sql_statements",
          "sql_ms"}
TIMES = {"time": None, "request_id": None, "duration_ms": None, "cpu_ms": None, "sql_statements": None,
         "sql_ms": None}  # values that differ from run to run
YAMADA = DEMO_RESIDENTS["eligible"]  # 山田 太郎


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def take(self) -> list[dict]:
        taken, self.lines = [json.loads(line) for line in self.lines], []
        return taken


@pytest.fixture
def request_lines():
    handler = Lines()
    logging.getLogger(LOGGER).addHandler(handler)
    yield handler
    logging.getLogger(LOGGER).removeHandler(handler)


def only_line(lines: Lines, response) -> dict:
    taken = lines.take()
    assert len(taken) == 1, taken
    line = taken[0]
    assert set(line) == FIELDS
    assert line["request_id"] == response.headers[HEADER]
    assert line["status"] == response.status_code
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    # where the time went: the thread's own CPU and its SQL, each within the duration
    assert 0 <= line["cpu_ms"] <= line["duration_ms"] + 1 and 0 <= line["sql_ms"] <= line["duration_ms"]
    assert isinstance(line["sql_statements"], int)
    return line


def test_a_page_request_is_one_line_with_the_rule_not_the_path(login, request_lines):
    clerk = login("madoguchi")
    clerk.get(f"/residents/{YAMADA}")  # the 閲覧の目的 question for this person, answered
    request_lines.take()  # the sign-in's and the question's own lines
    response = clerk.get(f"/residents/{YAMADA}", query_string={"note": "山田 太郎"})
    line = only_line(request_lines, response)
    assert line | TIMES == TIMES | {"user": "madoguchi", "role": "madoguchi", "method": "GET",
                                    "route": "/residents/<resident_id>", "status": 200}
    assert line["sql_statements"] > 0  # the person, their registrations and cases, the access-log row
    raw = json.dumps(line, ensure_ascii=False)
    assert YAMADA not in raw and "山田" not in raw and "note" not in raw
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])


def test_an_api_call_names_the_token_user_and_never_the_body(client, api_token, request_lines, driver):
    resident_id = driver.fresh_resident()
    response = client.post("/api/v1/instances", headers=api_token("madoguchi"),
                           json={"process_id": "sokuji_touroku", "data": {"resident_id": resident_id}})
    assert response.status_code == 201
    line = only_line(request_lines, response)
    assert (line["user"], line["role"], line["method"], line["route"]) == (
        "madoguchi", "madoguchi", "POST", "/api/v1/instances")
    assert resident_id not in json.dumps(line)


@pytest.mark.parametrize("incoming, kept", [
    ("lb-7f3a9c01-2", True), ("a" * 128, True), ("trace:01HV.x_y-z", True),
    ("", False), ("a" * 129, False), ("has space", False), ("-starts-with-dash", False), ("新しい", False),
    ('x"},{"status":200', False),
])
def test_incoming_request_id_is_kept_only_when_sane(client, request_lines, incoming, kept):
    response = client.get("/login", headers={HEADER: incoming})
    line = only_line(request_lines, response)
    if kept:
        assert line["request_id"] == incoming
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    assert (line["user"], line["role"], line["route"]) == (None, None, "/login")


def test_refusals_and_unknown_paths_are_logged_once_too(login, client, api_token, request_lines):
    unknown = client.get(f"/no-such-page/{YAMADA}")
    line = only_line(request_lines, unknown)
    assert (line["status"], line["route"], line["user"]) == (404, None, None)
    anonymous = client.get("/api/v1/inbox")
    assert anonymous.status_code == 401
    assert only_line(request_lines, anonymous)["user"] is None
    clerk = login("madoguchi")
    request_lines.take()
    nul = clerk.get("/residents", query_string={"kana": "\x00"})  # refused by a guard before the view
    assert nul.status_code == 400
    line = only_line(request_lines, nul)
    assert (line["user"], line["route"]) == ("madoguchi", "/residents")
    forbidden = client.get("/api/v1/audit/chains", headers=api_token("madoguchi"))
    assert forbidden.status_code == 403
    assert only_line(request_lines, forbidden)["user"] == "madoguchi"


def test_request_log_can_be_switched_off(database_url, tmp_path_factory, request_lines):
    from conftest import make_test_app

    quiet = make_test_app(database_url, tmp_path_factory, REQUEST_LOG=False).test_client()
    response = quiet.get("/login", headers={HEADER: "kept-anyway"})
    assert response.status_code == 200 and response.headers[HEADER] == "kept-anyway"
    assert request_lines.take() == []
