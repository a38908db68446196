"""Issue 12 point 7: sessions end on the server side — logout, a password change and deactivation sign out
every client of that user (a second client is the proof) — and time out when idle (30 min) or too old (12 h);
cookies are HttpOnly and SameSite=Lax, and Secure in production; the own password change page."""

from __future__ import annotations

import re

import pytest

from conftest import make_test_app
from tests.support.auth import PASSWORD, account_events, client_at, fresh_account, sign_in

NEW_PASSWORD = "a-new-password-4567"


def signed_in_pair(app, product, role: str = "madoguchi"):
    """Two clients (two PCs) signed in as one fresh user."""
    user = fresh_account(product, role)
    first, second = client_at(app), client_at(app)
    for client in (first, second):
        assert sign_in(client, user.username, user.password).status_code == 302
        assert client.get("/").status_code == 200
    return user, first, second


def signed_out(client) -> str:
    """Asserts the client is sent to the login page; the message it is shown there."""
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login"), response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_logout_ends_every_session_of_the_user(app, product):
    user, first, second = signed_in_pair(app, product)
    assert first.post("/logout").status_code == 302
    assert "ログアウト・パスワード変更・利用停止のため、このログインは終了しました" in signed_out(second)
    signed_out(first)
    assert [e["kind"] for e in account_events(product, user.username)][-1] == "logout"
    assert sign_in(second, user.username, user.password).status_code == 302  # a new sign-in works


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, product):
    user, first, second = signed_in_pair(app, product)
    changed = first.post("/account/password", data={"current": user.password, "new": NEW_PASSWORD,
                                                    "confirm": NEW_PASSWORD})
    assert changed.status_code == 302
    assert "パスワードを変更しました" in first.get(changed.headers["Location"]).get_data(as_text=True)
    signed_out(second)
    assert sign_in(client_at(app), user.username, user.password).status_code == 401
    assert sign_in(client_at(app), user.username, NEW_PASSWORD).status_code == 302
    assert account_events(product, user.username, "password_changed")[-1]["by"] == "self"


def test_deactivation_ends_every_session(app, product, login):
    user, first, second = signed_in_pair(app, product)
    assert login("admin").post(f"/admin/users/{user.id}/deactivate").status_code == 302
    signed_out(first)
    signed_out(second)
    assert login("admin").post(f"/admin/users/{user.id}/activate").status_code == 302
    assert sign_in(first, user.username, user.password).status_code == 302


def test_an_admin_setting_the_password_ends_the_sessions(app, product, login):
    user, first, _ = signed_in_pair(app, product)
    done = login("admin").post(f"/admin/users/{user.id}/password", data={"password": NEW_PASSWORD,
                                                                          "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    signed_out(first)
    assert account_events(product, user.username, "password_changed")[-1]["by"] == "admin"


@pytest.mark.parametrize(("form", "message"), [
    ({"current": PASSWORD, "new": "short-pw", "confirm": "short-pw"}, "12〜200文字で入力してください"),
    ({"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}, "確認用のパスワードが一致しません"),
    ({"current": PASSWORD, "new": PASSWORD, "confirm": PASSWORD}, "今のパスワードと違うもの"),
    ({"current": "not-the-password", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}, "今のパスワードが違います"),
])
def test_the_password_page_refuses_bad_input_in_japanese(app, product, form, message):
    user, client, _ = signed_in_pair(app, product)
    page = client.get("/account/password").get_data(as_text=True)
    assert "パスワードの変更" in page and 'autocomplete="current-password"' in page
    refused = client.post("/account/password", data=form)
    assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    assert client.get("/").status_code == 200  # still signed in
    assert sign_in(client_at(app), user.username, PASSWORD).status_code == 302  # password unchanged


def test_the_current_password_is_guessed_under_the_throttle(app, product, clock):
    user, client, _ = signed_in_pair(app, product)
    wrong = {"current": "guess-guess-guess", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert [client.post("/account/password", data=wrong).status_code for _ in range(5)] == [422] * 5
    refused = client.post("/account/password", data={**wrong, "current": user.password})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
    assert len(account_events(product, user.username, "login_failed")) == 5


def test_an_idle_session_ends_after_thirty_minutes(app, product, clock):
    user = fresh_account(product)
    client = client_at(app)
    assert sign_in(client, user.username, user.password).status_code == 302
    for _ in range(3):  # a request every 29 minutes keeps it alive for longer than 30 minutes
        clock.advance(minutes=29)
        assert client.get("/").status_code == 200
    clock.advance(minutes=30, seconds=1)
    assert "30分間操作がなかったため、ログアウトしました" in signed_out(client)


def test_a_session_ends_twelve_hours_after_signing_in(app, product, clock):
    user = fresh_account(product)
    client = client_at(app)
    assert sign_in(client, user.username, user.password).status_code == 302
    for _ in range(35):  # busy all day: a request every 20 minutes
        clock.advance(minutes=20)
        assert client.get("/").status_code == 200
    clock.advance(minutes=20, seconds=1)
    assert "ログインから12時間が経過したため、ログアウトしました" in signed_out(client)


def test_timeouts_follow_the_settings(app, product, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    user = fresh_account(product)
    client = client_at(app)
    sign_in(client, user.username, user.password)
    clock.advance(minutes=5, seconds=1)
    assert "5分間操作がなかった" in signed_out(client)


def test_a_session_cookie_of_another_generation_is_refused(app, product):
    user = fresh_account(product)
    client = client_at(app)
    sign_in(client, user.username, user.password)
    with client.session_transaction() as session:
        assert session["_user_id"] == f"{user.id}:0"
        session["_user_id"] = f"{user.id}:1"  # a generation the account never had
    signed_out(client)
    sign_in(client, user.username, user.password)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)  # a cookie from before generations existed
    signed_out(client)


def test_cookies_are_httponly_lax_and_secure_in_production(app, database_url, tmp_path_factory):
    user = fresh_account(app.extensions["inkan"])
    cookie = sign_in(client_at(app), user.username, user.password).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    production = make_test_app(database_url, tmp_path_factory, ENV="production",
                               SECRET_KEY="a-production-secret-of-forty-characters-x")
    cookie = sign_in(client_at(production), user.username, user.password).headers["Set-Cookie"]
    assert re.search(r"; Secure", cookie) and "HttpOnly" in cookie and "SameSite=Lax" in cookie
