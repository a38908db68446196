"""The access log is complete (issue 15 point 8): every route × role, with a known person's case, task, document and
blob ids in the path and the person's name / カナ / 住民ID in the query, is requested; an answer that shows the
person's name (漢字 or カナ, in HTML, JSON, CSV or a PDF's text) must have written an access-log row for that person.

The walk's client answers the 閲覧の目的 question whenever a page asks it (once per person and case), so every
page behind the question is seen. Routes that do not show the name pass whatever they log; the walk also checks it
reached every OpenAPI operation."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from conftest import ROLES
from engine.evidence.access_log import AccessEntry
from tests.webui.test_every_route import _document_ids, _library_ids, _throwaway_user

SKIP = {"auth.logout", "auth.login"}  # would end (or replace) the session the walk uses
PATH_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass
class Person:
    resident_id: str
    names: tuple[str, ...]  # what must not appear unlogged: 氏名 and カナ, without spaces
    kana: str
    values: dict  # path parameters: this person's case, task, documents, blobs


def _person(product, resident_id: str, values: dict) -> Person:
    with product.session_factory() as session:
        person = product.juki(session).get_resident(resident_id)
    names = {squash(person.name), squash(person.kana)}  # compared without spaces: PDFs break lines between them
    return Person(resident_id, tuple(names), person.kana, values)


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def people(app, product) -> list[Person]:
    """A person registered through 4.1.2 (finished case, 確認票, certificate-able) and one whose 4.1.2 case waits
    at the scan (an open バックヤード task with the person's data on it)."""
    from engine.runtime.queries import instance_detail
    from tests.support.flow import RegistrationDriver
    from tests.support.inquiry_flow import InquiryDriver

    driver = RegistrationDriver(product)
    registered = driver.register()
    with product.session_factory() as session:
        detail = instance_detail(session, product.specs, registered.instance_id)
    inquiry = InquiryDriver(product).to_answer(mailed=False)  # its letter waits in the print queue
    base = {"incident_id": "1", "process_id": "sokuji_touroku", "filename": "bpmn-js/package.json",
            **_library_ids(product), "batch_id": "1", "run_id": "1", "user_id": _throwaway_user(product),
            "application_id": str(inquiry.application_id)}
    blob = detail.data["confirmation"]["document_blob_id"]
    done = {**base, "task_id": str(detail.tasks[-1].id), "instance_id": str(registered.instance_id),
            "resident_id": registered.resident_id, "sha": blob, "sha256": blob,
            "number": registered.registration_number, **_document_ids(product, registered.registration_number),
            "certificate_id": _certificate(product, registered.registration_number)}
    waiting_id = driver.fresh_resident()
    outcome = driver.to_scan(waiting_id)
    waiting = {**done, "task_id": str(outcome.next_task_id or driver.open_task(outcome.instance_id)),
               "instance_id": str(outcome.instance_id), "resident_id": waiting_id}
    asked = {**done, "task_id": str(driver.open_task(inquiry.instance_id)), "instance_id": str(inquiry.instance_id),
             "resident_id": inquiry.resident_id}
    return [_person(product, registered.resident_id, done), _person(product, waiting_id, waiting),
            _person(product, inquiry.resident_id, asked)]


def _certificate(product, number: str) -> str:
    from engine.actor import Actor
    from handlers.services.certificates import issue_certificate
    from registry.seals import records
    from tests.support.certificates import ensure_office_seal

    ensure_office_seal(product)
    with product.session_factory.begin() as session:
        record = records.registration_by_number(session, number)
        issued = issue_certificate(session, product.services, record.id, channel="counter",
                                   actor=Actor("madoguchi", "madoguchi"))
        return str(issued.certificate_id)


def logged(product, resident_id: str) -> int:
    with product.session_factory() as session:
        return session.scalar(select(func.count()).select_from(AccessEntry)
                              .where(AccessEntry.resident_id == resident_id))


def readable(response) -> str:
    """The answer as a person would read it: JSON decoded (no \\u escapes), a PDF's text."""
    body = response.get_data()
    if response.mimetype == "application/pdf":
        with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
            pdf.write(body)
            pdf.flush()
            return subprocess.run(["pdftotext", "-q", pdf.name, "-"], capture_output=True, text=True).stdout
    text = body.decode("utf-8", "replace")
    if response.mimetype == "application/json":
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


def requests_for(app, person: Person) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every route, path filled with the person's ids; GETs without path parameters
    (lists, searches) also with the person in every search parameter the pages and the API know."""
    query = urlencode({"resident_id": person.resident_id, "q": person.resident_id, "kana": person.kana})
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint in SKIP:
            continue
        url = PATH_PARAM.sub(lambda m: person.values[m.group(1)], rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, url))
            if method == "GET" and not rule.arguments:  # lists and searches: asked for the person
                out.append((rule.endpoint, method, f"{url}?{query}"))
    return out


@pytest.mark.parametrize("role", ROLES)
def test_every_answer_showing_a_person_logged_the_view(app, product, login, api_token, people, role):
    client, headers = login(role), api_token(role)  # the client answers the 閲覧の目的 question wherever asked
    unlogged, shown, left_asking = [], 0, []
    for person in people:
        for endpoint, method, url in requests_for(app, person):
            before = logged(product, person.resident_id)
            api = url.startswith("/api/")
            response = client.open(url, method=method, headers=headers if api else {},
                                   json={} if api and method != "GET" else None, data=None if api else {})
            if response.status_code == 302 and response.headers["Location"].startswith("/audit/purpose"):
                left_asking.append(f"{method} {url}")  # the page behind the question was never seen
            text = squash(readable(response))
            if not any(name in text for name in person.names):
                continue
            shown += 1
            if logged(product, person.resident_id) == before:
                unlogged.append(f"{method} {url} ({endpoint}) {response.status_code}")
    assert shown > 10, "the walk never saw the person: the ids or the query are wrong"
    assert not left_asking, left_asking
    assert not unlogged, f"{role}: answers showing the person's name without an access-log row:\n" + "\n".join(
        unlogged)


def test_the_walk_covers_every_openapi_operation(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    rules = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
             for rule in app.url_map.iter_rules() for method in rule.methods}
    operations = {("/api/v1" + path if not path.startswith("/api/") else path, method)
                  for path, item in spec["paths"].items() for method in item if method in ("get", "post", "put")}
    missing = {op for op in operations if op not in rules}
    assert len(operations) > 20 and not missing, sorted(missing)
