"""Login, logout, login-required pages, CSRF and the read-only roles on the clerk pages."""

from __future__ import annotations

import re

import pytest

from conftest import TEST_PASSWORD, make_test_app
from engine.actor import Actor
from engine.runtime.queries import get_task

PAGES = ["/", "/start", "/residents", "/instances", "/residents/10000000017"]


def test_login_page_is_japanese_and_carries_the_form(client):
    html = client.get("/login").get_data(as_text=True)
    assert "印鑑登録システム" in html
    assert 'name="username"' in html and 'name="password"' in html and 'method="post"' in html


def test_login_works_and_shows_user_and_role(client):
    response = client.post("/login", data={"username": "madoguchi", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert "madoguchi 職員" in html and "窓口" in html and "ログアウト" in html


def test_wrong_password_is_401_with_a_message(client):
    response = client.post("/login", data={"username": "madoguchi", "password": "wrong-password"})
    assert response.status_code == 401
    assert "利用者名またはパスワードが違います" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_pages_require_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_is_a_post_with_the_nav(login):
    client = login("backyard")
    html = client.get("/").get_data(as_text=True)
    for label in ("受付箱", "業務の開始", "2.1.3", "基本検索", "事案一覧"):
        assert label in html
    assert re.search(r'<form method="post" action="/logout"', html)
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_post_without_csrf_token_is_refused(database_url, tmp_path_factory, app, driver):
    """With CSRFProtect on (as in production), every POST form must carry the token."""
    strict = make_test_app(database_url, tmp_path_factory, WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").get_data(as_text=True))
    assert token, "the login form carries its CSRF token"
    signed_in = client.post("/login", data={"username": "madoguchi", "password": TEST_PASSWORD,
                                            "csrf_token": token.group(1)})
    assert signed_in.status_code == 302
    inbox = client.get("/").get_data(as_text=True)
    assert re.search(r'name="csrf_token" value="[^"]+"', inbox), "the logout form carries the token"

    task_id = driver.start(driver.fresh_resident()).next_task_id
    refused = client.post(f"/tasks/{task_id}/claim", headers={"Accept": "text/html"})
    assert refused.status_code == 400
    assert "画面の有効期限が切れました" in refused.get_data(as_text=True)
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"/tasks/{task_id}/claim", data={"csrf_token": form_token}).status_code == 302


def test_auditor_gets_403_on_every_post(login, driver, product):
    """Auditors read everything and may not change anything."""
    outcome = driver.start(driver.fresh_resident())
    task_id = outcome.next_task_id
    product.runner.claim(task_id, Actor("madoguchi", "madoguchi"))
    auditor = login("auditor")
    posts = [f"/tasks/{task_id}/claim", f"/tasks/{task_id}/unclaim", f"/tasks/{task_id}",
             "/start/sokuji_touroku", "/instances/incidents/1/retry"]
    for path in posts:
        response = auditor.post(path, data={"resident_id": "10000000017"})
        assert response.status_code == 403, path
        assert "権限がありません" in response.get_data(as_text=True)
    with product.session_factory() as session:
        task = get_task(session, task_id)
        assert task.is_open and task.claimed_by == "madoguchi"


def test_auditor_reads_the_task_page_without_an_enabled_form(login, driver):
    task_id = driver.start(driver.fresh_resident()).next_task_id
    html = login("auditor").get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "2.1.3" in html and "閲覧のみ" in html
    assert "<fieldset disabled" in html
    assert f'/tasks/{task_id}/claim' not in html
