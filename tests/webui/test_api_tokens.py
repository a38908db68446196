"""Issue 12 point 7: API tokens expire (90 days by default, `inkan users token NAME --days N`), can be revoked
(all of a user's or one) and die with their user; each refusal is a 401 with its own code and a Japanese
message, as the OpenAPI document says. Issuing and revoking are audited."""

from __future__ import annotations

from datetime import timedelta

from registry.staff import accounts
from tests.support.auth import account_events, fresh_account
from tests.webui.api_contract import BASE, assert_matches_openapi

EXPECTED_MESSAGES = {
    "token_expired": "APIトークンの有効期限が切れています。システム管理者に新しいトークンの発行を依頼してください",
    "token_revoked": "このAPIトークンは失効しています。システム管理者に新しいトークンの発行を依頼してください",
    "account_inactive": "このAPIトークンの利用者は無効になっています",
    "token_invalid": "APIトークンが正しくありません",
}


def issue(app, username: str, *extra: str) -> str:
    result = app.test_cli_runner().invoke(args=["users", "token", username, *extra])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def inbox(client, token: str):
    return client.get(BASE + "/inbox", headers={"Authorization": f"Bearer {token}"})


def refused_with(client, token: str, code: str) -> None:
    response = inbox(client, token)
    assert response.status_code == 401
    assert assert_matches_openapi(response, "/inbox", "GET") == {"error": code, "message": EXPECTED_MESSAGES[code]}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="inkan", error="invalid_token"'


def test_a_token_lives_ninety_days_by_default(app, product, client):
    user = fresh_account(product)
    token = issue(app, user.username)
    assert inbox(client, token).status_code == 200
    with product.session_factory() as session:
        row = accounts.tokens_of(session, user.id)[0]
        assert row.expires_at - row.created_at == timedelta(days=90)
    assert account_events(product, user.username, "token_issued") == [
        {"days": 90, "actor": "inkan-cli", "kind": "token_issued", "actor_role": "admin"}]


def test_an_expired_token_is_refused(app, product, client, clock):
    user = fresh_account(product)
    token = issue(app, user.username, "--days", "1")
    clock.advance(days=1, seconds=-1)
    assert inbox(client, token).status_code == 200
    clock.advance(seconds=1)
    refused_with(client, token, "token_expired")


def test_token_days_out_of_range_are_refused(app, product):
    user = fresh_account(product)
    for days in ("0", "367", "abc"):
        result = app.test_cli_runner().invoke(args=["users", "token", user.username, "--days", days])
        assert result.exit_code == 2, (days, result.output)
    with product.session_factory() as session:
        assert accounts.tokens_of(session, user.id) == []


def test_revoking_all_tokens_or_one(app, product, client):
    user = fresh_account(product)
    first, second, third = (issue(app, user.username) for _ in range(3))
    with product.session_factory() as session:
        second_id = accounts.tokens_of(session, user.id)[1].id  # newest first: the middle one
    one = app.test_cli_runner().invoke(args=["users", "revoke-token", user.username, "--token-id", str(second_id)])
    assert one.exit_code == 0 and f"ID {second_id}" in one.output
    refused_with(client, second, "token_revoked")
    assert inbox(client, first).status_code == 200 and inbox(client, third).status_code == 200
    everything = app.test_cli_runner().invoke(args=["users", "revoke-token", user.username])
    assert everything.exit_code == 0
    refused_with(client, first, "token_revoked")
    refused_with(client, third, "token_revoked")
    none_left = app.test_cli_runner().invoke(args=["users", "revoke-token", user.username])
    assert none_left.exit_code == 1 and "有効なAPIトークンはありません" in none_left.output
    revoked = account_events(product, user.username, "token_revoked")
    assert [sorted(e["token_ids"]) for e in revoked][0] == [second_id] and len(revoked) == 2


def test_a_deactivated_users_token_is_refused(app, product, client):
    user = fresh_account(product)
    token = issue(app, user.username)
    assert app.test_cli_runner().invoke(args=["users", "deactivate", user.username]).exit_code == 0
    refused_with(client, token, "account_inactive")
    assert app.test_cli_runner().invoke(args=["users", "activate", user.username]).exit_code == 0
    assert inbox(client, token).status_code == 200


def test_an_unknown_token_is_refused(client):
    refused_with(client, "ink_" + "x" * 43, "token_invalid")


def test_tokens_on_the_users_page(app, product, login, client):
    user = fresh_account(product)
    admin = login("admin")
    issued = admin.post(f"/admin/users/{user.id}/tokens", data={"days": "30"})
    html = issued.get_data(as_text=True)
    assert issued.status_code == 200 and "このトークンは今回だけ表示されます" in html
    token = html.split('class="mono token-value" value="', 1)[1].split('"', 1)[0]
    assert token.startswith("ink_") and inbox(client, token).status_code == 200
    assert token not in admin.get(f"/admin/users/{user.id}").get_data(as_text=True)  # shown once
    assert admin.post(f"/admin/users/{user.id}/tokens", data={"days": "400"}).status_code == 422
    with product.session_factory() as session:
        row = accounts.tokens_of(session, user.id)[0]
    assert row.expires_at - row.created_at == timedelta(days=30)
    assert admin.post(f"/admin/users/{user.id}/tokens/revoke", data={"token_id": str(row.id)}).status_code == 302
    refused_with(client, token, "token_revoked")
    assert "失効（" in admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
