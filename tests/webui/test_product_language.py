"""Product language only (issue 15 point 6): the text clerks, managers and auditors read on the main pages has no
developer ids, hashes, setting names, raw JSON, UTC times, English units or error codes; staff are named by their
display names."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

FORBIDDEN = {
    "a draft / certificate id": re.compile(r"\b(draft|certificate|instance|task):\d"),
    "a hash": re.compile(r"\b[0-9a-f]{40,}\b"),
    "a hash prefix": re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{10,}\b"),
    "a setting name": re.compile(r"INKAN_"),
    "raw JSON": re.compile(r"\{\""),
    "UTC": re.compile(r"\bUTC\b"),
    "an English unit": re.compile(r"mm square"),
    "an error code": re.compile(r"コード[:：]"),
}


# The model library is the section managers' engineering tool: there a version is named by its hash, beside its date
# (the library's own pages are the modeler's; issue 14 point 3).
EXEMPT = {("/library/", "a hash prefix")}


class VisibleText(HTMLParser):
    """The text a person reads: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture(scope="module")
def case(product):
    """A registered person with a finished 4.1.2 case, a 確認票 and a certificate, and a case waiting at the scan."""
    from tests.audit.test_access_log_walk import _certificate
    from tests.support.flow import RegistrationDriver
    from tests.webui.test_every_route import _document_ids

    driver = RegistrationDriver(product)
    registered = driver.register()
    waiting = driver.to_scan(driver.fresh_resident())
    return {"resident_id": registered.resident_id, "instance_id": registered.instance_id,
            "number": registered.registration_number, "task_id": waiting.next_task_id,
            "waiting_instance": waiting.instance_id,
            "document_id": _document_ids(product, registered.registration_number)["document_id"],
            "certificate_id": _certificate(product, registered.registration_number)}


def pages(case: dict) -> list[str]:
    return ["/", "/start", f"/tasks/{case['task_id']}", "/residents", "/residents?kana=%E3%82%BF",
            f"/residents/{case['resident_id']}", "/instances", f"/instances/{case['instance_id']}",
            f"/instances/{case['waiting_instance']}", "/inquiry", "/print", f"/documents/{case['document_id']}",
            f"/documents/certificates/{case['certificate_id']}", "/audit/reports", "/audit/access", "/library/",
            "/rendou/", "/verify", "/verify?p=garbage"]


@pytest.mark.parametrize("role", ["madoguchi", "backyard", "manager", "auditor"])
def test_the_main_pages_speak_the_product_language(login, case, role):
    client = login(role)
    problems = []
    for path in pages(case):
        response = client.get(path)
        if response.status_code in (302, 403, 404):
            continue  # not this role's page
        text = visible(response.get_data(as_text=True))
        for what, pattern in FORBIDDEN.items():
            if (path, what) not in EXEMPT and (match := pattern.search(text)):
                start = max(0, match.start() - 40)
                problems.append(f"{path}: {what}: …{text[start:match.end() + 40]}…")
    assert not problems, "\n".join(problems)


def test_staff_are_named_by_their_display_names(login, case):
    page = login("auditor").get(f"/instances/{case['instance_id']}").get_data(as_text=True)
    assert "madoguchi 職員" in visible(page) and "backyard 職員" in visible(page)


def test_audit_lands_on_the_auditors_dashboard(login):
    response = login("auditor").get("/audit")
    assert response.status_code == 302 and response.headers["Location"].endswith("/audit/reports")
    assert login("madoguchi").get("/audit").status_code == 403


def test_re_entering_keeps_what_was_given(login, product, driver):
    """6.1 受け付け直す after a refusal: the request form comes back with 申請者, カード and 通数 as given."""
    from tests.support.certificates_flow import CounterDriver

    counter = CounterDriver(product)
    registered = driver.registered_person()
    refused = counter.request(registered.resident_id, "99999999", copies=3)  # no such card: refused
    assert counter.open_spec_names(refused.instance_id) == ["task_refusal"]
    again = counter.step(refused, {"refusal_action": "re_enter", "explained": True})
    task_id = again.next_task_id or counter.open_tasks(again.instance_id)[0].id
    html = login("madoguchi").get(f"/tasks/{task_id}").get_data(as_text=True)
    assert re.search(r'name="card_number"[^>]*value="99999999"', html)
    assert re.search(r'name="copies"[^>]*value="3"', html)
    assert re.search(r'value="self"[^>]*checked|checked[^>]*value="self"', html)
    assert re.search(r'value="registration_card"[^>]*checked|checked[^>]*value="registration_card"', html)
