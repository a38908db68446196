"""Issue 12 point 6: `next=` goes back only to a path of this site — on /login, on /audit/purpose and on a task
form — whatever the attacker writes: `//host`, `/\\host`, tabs, newlines, schemes, and percent-encoded forms of
them (today's bug: `POST /login?next=/%09/evil.example` redirected to `//evil.example`)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from tests.support.auth import client_at, fresh_account, sign_in
from webui.auth.next_url import is_local_path

# The values as the server reads them (after the query string is decoded once).
MALICIOUS = [
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "\\/evil.example",
    "/\t/evil.example", "\t//evil.example", "/%09/evil.example", "/\n/evil.example", "/\r\n/evil.example",
    "/%0d%0a/evil.example", "%0d%0aLocation: https://evil.example", "/%0D%0ASet-Cookie:x=1",
    "https://evil.example", "https:evil.example", "http:/evil.example", "HTTPS://evil.example",
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "evil.example", " //evil.example",
    "/%2F/evil.example", "/%2f%2fevil.example", "/%5Cevil.example", "/%5cevil.example", "/%255C%255Cevil.example",
    "/%252F%252Fevil.example", "/\u3000/evil.example", "/\u2028//evil.example", "/\u202e/elpmaxe.live//",
    "/\u200b/evil.example", "/%E2%80%8B/evil.example", "/%ff", "", "/" + "a" * 2100,
]
SAFE = ["/", "/instances/5", "/residents?kana=%E3%83%A4%E3%83%9E%E3%83%80", "/?lane=窓口",
        "/instances?status=running&page=2", "/library/processes/sokuji_touroku"]


def test_the_corpus_has_the_forms_the_issue_names():
    assert len(MALICIOUS) >= 15
    for needed in ("/%09/evil.example", "/\\evil.example", "//evil.example", "https:evil.example", "/\t/evil.example",
                   "/%0d%0a/evil.example"):
        assert needed in MALICIOUS


@pytest.mark.parametrize("target", MALICIOUS)
def test_is_local_path_refuses(target):
    assert not is_local_path(target)


@pytest.mark.parametrize("target", SAFE)
def test_is_local_path_keeps_paths_of_this_site(target):
    assert is_local_path(target)


def test_login_never_leaves_the_site(app, product):
    user = fresh_account(product)
    client = client_at(app)
    for target in MALICIOUS:
        response = sign_in(client, user.username, user.password, target)
        assert response.status_code == 302 and response.headers["Location"] == "/", (target, response.headers)
    raw = client.post("/login?next=/%09/evil.example", data={"username": user.username, "password": user.password})
    assert raw.headers["Location"] == "/"
    for target in SAFE:
        assert unquote(sign_in(client, user.username, user.password, target).headers["Location"]) == unquote(target)


def test_the_login_form_does_not_carry_a_malicious_next(client):
    html = client.get("/login", query_string={"next": "//evil.example"}).get_data(as_text=True)
    assert "evil.example" not in html
    assert 'action="/login?next=/instances/5"' in client.get("/login?next=/instances/5").get_data(as_text=True)


def test_the_purpose_form_never_leaves_the_site(login):
    client = login("auditor", purpose=None)
    for target in MALICIOUS:
        page = client.get("/audit/purpose", query_string={"next": target})
        assert "evil.example" not in page.get_data(as_text=True), target
        chosen = client.post("/audit/purpose", query_string={"next": target}, data={"purpose": "audit"})
        assert chosen.status_code == 302 and chosen.headers["Location"] == "/", target
    kept = client.post("/audit/purpose", query_string={"next": "/instances/5"}, data={"purpose": "audit"})
    assert kept.headers["Location"] == "/instances/5"


def test_a_task_form_never_leaves_the_site(login, driver):
    task_id = driver.start(driver.fresh_resident()).next_task_id
    client = login("madoguchi")
    for target in MALICIOUS[:12]:
        client.post(f"/tasks/{task_id}/unclaim")
        claimed = client.post(f"/tasks/{task_id}/claim", data={"next": target})
        assert claimed.status_code == 302 and claimed.headers["Location"] == f"/tasks/{task_id}", target
