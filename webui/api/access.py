"""Who calls the API: a bearer token only (never the session cookie), resolved once per request into `g`."""

from __future__ import annotations

from flask import g, jsonify, request

from engine.actor import Actor
from registry.staff import accounts
from webui.api.params import ApiError
from webui.wiring import product

PUBLIC_ENDPOINTS = ("api.openapi",)
READ_METHODS = ("GET", "HEAD", "OPTIONS")
TOKEN_REFUSALS = {
    "unauthorized": "APIトークンが必要です",
    "token_invalid": "APIトークンが正しくありません",
    "token_expired": "APIトークンの有効期限が切れています。システム管理者に新しいトークンの発行を依頼してください",
    "token_revoked": "このAPIトークンは失効しています。システム管理者に新しいトークンの発行を依頼してください",
    "account_inactive": "このAPIトークンの利用者は無効になっています",
}


def authenticate():
    """before_request: resolve `Authorization: Bearer ink_…` into g.api_user / g.actor, or answer 401 / 403."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    token = _bearer_token()
    check = accounts.TokenCheck(None, "unauthorized")
    if token:
        with product().session_factory() as session:
            check = accounts.user_for_token(session, token, product().services.utcnow())
    if check.user is None:
        return _refused(check.refusal or "token_invalid")
    user = check.user
    g.api_user = user
    g.actor = Actor(user.username, user.role, user.display_name)
    if user.role == "auditor" and request.method not in READ_METHODS:
        raise ApiError(403, "forbidden", "監査の役割では閲覧だけができます")
    return None


def _refused(code: str):
    """401 with the reason as code and a Japanese message; RFC 6750's error for a token that was presented."""
    response = jsonify({"error": code, "message": TOKEN_REFUSALS[code]})
    response.status_code = 401
    challenge = 'Bearer realm="inkan"' if code == "unauthorized" else 'Bearer realm="inkan", error="invalid_token"'
    response.headers["WWW-Authenticate"] = challenge
    return response


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def api_actor() -> Actor:
    return g.actor


def require_roles(*roles: str) -> Actor:
    """The caller's actor if its role is one of `roles`; raise ApiError 403."""
    actor = api_actor()
    if actor.role not in roles:
        raise ApiError(403, "forbidden", "この操作を行う権限がありません")
    return actor


def require_worker() -> Actor:
    """The caller's actor if it works at least one lane (clerks); raise ApiError 403."""
    actor = api_actor()
    if not actor.lanes:
        raise ApiError(403, "forbidden", "この役割では業務データを登録できません")
    return actor
