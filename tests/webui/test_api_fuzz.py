"""Property-based fuzzing of /api/v1 from its own OpenAPI document (schemathesis over WSGI), on SQLite and
PostgreSQL: no answer is a 5xx, and every answer — status, content type, body, headers — is the one the document
states. The document gives every parameter's bounds, so the fuzzer walks the edges (ids past 2**31, texts one
character too long, wrong types, missing fields, NUL and surrogates, unexpected methods) as well as valid values.

Three passes, bounded for CI (about 75 s per database) and derandomized (the same cases on every run):
- every operation with its edge cases (schemathesis' coverage phase) and generated cases, as the role that gets
  through to the business rules (managers; admins for the operations only they may use) — but for SLOW ones;
- the SLOW operations with generated cases only: the signed POST /juki/events (its coverage phase alone is
  thousands of cases over the event kinds; their edges are tested kind by kind in test_api_juki_events.py) and a
  draft's test / deploy (each call runs the draft's test cases in the sandbox, about a second);
- every other operation with a few generated cases as each of the five roles (refusals must be documented too;
  tests/webui/test_every_route.py walks every route × role, SLOW ones included).
The HMAC-signed POST /juki/events is fuzzed like the rest: the test signs each generated body with the key.

The fuzzer writes (starts flows, stores blobs and events, suspends instances …), so it works on a database of its
own, seeded like the shared one, with one registration driven through 4.1.2 so that real ids exist.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import ROLES, drop_database, make_database, make_test_app, seed_test_app
from engine.actor import Actor
from engine.library import catalog, drafts
from registry.staff import accounts
from tests.support.flow import RegistrationDriver
from webui.api.juki_events import SIGNATURE_HEADER, signature
from webui.api.openapi import openapi_document

EDGE_EXAMPLES = 4  # generated cases per operation in the edge pass (the coverage phase adds its own)
EVENT_EXAMPLES = 40  # generated 住基 events
DRAFT_RUN_EXAMPLES = 2  # generated calls of a draft's test / deploy
ROLE_EXAMPLES = 2  # generated cases per operation and role
EVENT_KEY = "fuzz-juki-event-key-0123456789"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
ADMIN_ONLY = ("/instances/{instance_id}/suspend", "/instances/{instance_id}/resume",
              "/instances/{instance_id}/terminate", "/tasks/{task_id}/reassign", "/juki/events",
              "/audit/access-log")
FAST = {"deadline": None, "database": None, "derandomize": True, "suppress_health_check": list(HealthCheck)}

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "inkan-hypothesis")  # its caches stay out of the tree
schema = schemathesis.openapi.from_dict(openapi_document())  # the document /api/v1/openapi.json serves
EVENTS = r"^/juki/events$"
DRAFT_RUNS = r"^/definitions/drafts/\{draft_id\}/(test|deploy)$"
SLOW = f"{EVENTS}|{DRAFT_RUNS}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_app(request, tmp_path_factory):
    """A product of its own: seeded, one 4.1.2 registration done, the 住基 event key set; tokens per role."""
    url = make_database(request.param, tmp_path_factory)
    app = make_test_app(url, tmp_path_factory, JUKI_EVENT_KEY=EVENT_KEY)
    seed_test_app(app)
    product = app.extensions["inkan"]
    driver = RegistrationDriver(product)
    driver.register()
    driver.start(driver.fresh_resident())  # an open task too
    with product.session_factory.begin() as session:
        manager = Actor("manager", "manager")
        drafts.open_draft(session, catalog.active_definition(session, "sokuji_touroku"), manager, {"cases": []})
        app.config["FUZZ_TOKENS"] = {role: {"Authorization": f"Bearer {accounts.issue_token(session, role)}"}
                                     for role in ROLES}
    yield app
    product.session_factory.kw["bind"].dispose()
    drop_database(url)


def reaching_role(case) -> str:
    return "admin" if case.operation.path in ADMIN_ONLY else "manager"


def call(case, app, role: str) -> None:
    """Send the case as `role` (signing a 住基 event body) and check the answer against the document."""
    case.operation.schema.app = app  # the WSGI transport: requests go to this app in-process
    headers = dict(app.config["FUZZ_TOKENS"][role])
    kwargs: dict = {"app": app}
    if case.operation.path == "/juki/events" and isinstance(case.body, dict | list | str | int | float | bool):
        raw = json.dumps(case.body, ensure_ascii=False).encode("utf-8")
        headers[SIGNATURE_HEADER] = signature(EVENT_KEY, raw)
        kwargs["data"] = raw
    case.call_and_validate(headers=headers, checks=CHECKS, **kwargs)


@schema.include(path_regex=DRAFT_RUNS).parametrize()
@settings(max_examples=DRAFT_RUN_EXAMPLES, phases=[Phase.generate], **FAST)
def test_draft_runs_with_generated_cases(case, fuzz_app):  # first: only the fixture's draft exists
    call(case, fuzz_app, reaching_role(case))


@schema.exclude(path_regex=SLOW).parametrize()
@settings(max_examples=EDGE_EXAMPLES, phases=[Phase.explicit, Phase.generate], **FAST)
def test_the_edges_of_every_operation_as_the_role_that_gets_through(case, fuzz_app):
    call(case, fuzz_app, reaching_role(case))


@schema.include(path_regex=EVENTS).parametrize()
@settings(max_examples=EVENT_EXAMPLES, phases=[Phase.generate], **FAST)
def test_signed_resident_events_with_generated_cases(case, fuzz_app):
    call(case, fuzz_app, reaching_role(case))


@pytest.mark.parametrize("role", ROLES)
@schema.exclude(path_regex=SLOW).parametrize()
@settings(max_examples=ROLE_EXAMPLES, phases=[Phase.generate], **FAST)
def test_every_role_gets_a_documented_answer(case, role, fuzz_app):
    call(case, fuzz_app, role)
