"""/admin/users (システム管理 only): the list with role, display name, active, lock, last sign-in and tokens; adding
a user; deactivating / activating; setting a password — each refusal in Japanese, each change audited."""

from __future__ import annotations

import re

import pytest

from registry.staff import accounts
from tests.support.auth import PASSWORD, account_events, client_at, fresh_account, sign_in


def row_of(html: str, username: str) -> list[str]:
    match = re.search(rf'<tr data-username="{re.escape(username)}">(.*?)</tr>', html, re.S)
    assert match, username
    return [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1),
                                                                               re.S)]


def test_the_list_shows_every_user_with_its_state(app, product, login):
    user = fresh_account(product, "backyard")
    sign_in(client_at(app), user.username, user.password)
    app.test_cli_runner().invoke(args=["users", "token", user.username])
    html = login("admin").get("/admin/users").get_data(as_text=True)
    assert "利用者管理" in html and "最終ログイン" in html and "APIトークン" in html
    cells = row_of(html, user.username)
    assert cells[:6] == [user.username, f"{user.username} 職員", "バックヤード", "有効", "—", "—"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", cells[6]) and cells[7] == "1"
    for role in ("madoguchi", "backyard", "manager", "auditor", "admin"):
        assert f'data-username="{role}"' in html


def test_an_admin_adds_a_user(app, product, login):
    admin = login("admin")
    form = {"username": "new-clerk-1", "display_name": "新人　一郎", "role": "madoguchi",
            "password": "first-password-1", "confirm": "first-password-1"}
    added = admin.post("/admin/users", data=form)
    assert added.status_code == 302 and re.fullmatch(r"/admin/users/\d+", added.headers["Location"])
    page = admin.get(added.headers["Location"]).get_data(as_text=True)
    assert "利用者 new-clerk-1 を登録しました" in page and "新人　一郎" in page
    assert sign_in(client_at(app), "new-clerk-1", "first-password-1").status_code == 302
    assert account_events(product, "new-clerk-1", "account_added")[0] == {
        "role": "madoguchi", "display_name": "新人　一郎", "replaced": False, "actor": "admin",
        "kind": "account_added", "actor_role": "admin"}


@pytest.mark.parametrize(("change", "message"), [
    ({"password": "too-short", "confirm": "too-short"}, "パスワードは12文字以上にしてください"),
    ({"confirm": "something-else-1"}, "確認用のパスワードが一致しません"),
    ({"role": "mayor"}, "役割 mayor は存在しません"),
    ({"username": "admin"}, "利用者 admin は既に存在します"),
    ({"username": "   "}, "前後に空白のない100文字以内"),
    ({"username": "x" * 101}, "前後に空白のない100文字以内"),
    ({"password": "new-clerk-two", "confirm": "new-clerk-two", "username": "new-clerk-two"}, "利用者名と同じパスワード"),
])
def test_adding_refuses_bad_input_in_japanese(login, change, message):
    form = {"username": "new-clerk-2", "display_name": "", "role": "backyard", "password": "first-password-2",
            "confirm": "first-password-2"} | change
    refused = login("admin").post("/admin/users", data=form)
    assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    assert 'data-username="new-clerk-2"' not in login("admin").get("/admin/users").get_data(as_text=True)


def test_deactivate_and_activate_on_the_page(app, product, login):
    user = fresh_account(product)
    admin = login("admin")
    page = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "無効にする" in page and "パスワードの設定" in page and "APIトークンを発行" in page
    done = admin.post(f"/admin/users/{user.id}/deactivate", follow_redirects=True).get_data(as_text=True)
    assert f"{user.username} を無効にしました" in done and "有効にする" in done
    assert sign_in(client_at(app), user.username, PASSWORD).status_code == 401
    again = admin.post(f"/admin/users/{user.id}/deactivate")
    assert again.status_code == 422 and "既に無効です" in again.get_data(as_text=True)
    assert admin.post(f"/admin/users/{user.id}/activate").status_code == 302
    assert sign_in(client_at(app), user.username, PASSWORD).status_code == 302
    kinds = [e["kind"] for e in account_events(product, user.username) if e["actor"] == "admin"]
    assert kinds == ["account_deactivated", "account_activated"]
    events = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "利用停止" in events and "利用再開" in events and "ログイン" in events


def test_an_admin_cannot_deactivate_themselves(product, login):
    with product.session_factory() as session:
        admin_id = accounts.get_user(session, "admin").id
    refused = login("admin").post(f"/admin/users/{admin_id}/deactivate")
    assert refused.status_code == 422 and "自分自身を無効にすることはできません" in refused.get_data(as_text=True)


def test_setting_a_password_on_the_page_is_checked(app, product, login):
    user = fresh_account(product)
    admin = login("admin")
    short = admin.post(f"/admin/users/{user.id}/password", data={"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "12文字以上" in short.get_data(as_text=True)
    assert admin.post(f"/admin/users/{user.id}/password",
                      data={"password": "set-by-admin-01", "confirm": "set-by-admin-01"}).status_code == 302
    assert sign_in(client_at(app), user.username, "set-by-admin-01").status_code == 302


def test_unknown_users_are_404(login):
    admin = login("admin")
    assert admin.get("/admin/users/987654").status_code == 404
    assert admin.post("/admin/users/987654/unlock").status_code == 404
