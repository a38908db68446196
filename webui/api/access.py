"""Who calls the API: a bearer token only (never the session cookie), resolved once per request into `g`."""

from __future__ import annotations

from flask import g, jsonify, request

from engine.actor import Actor
from registry.staff import accounts
from webui.api.params import ApiError
from webui.wiring import product

PUBLIC_ENDPOINTS = ("api.openapi",)
READ_METHODS = ("GET", "HEAD", "OPTIONS")
UNAUTHORIZED = {"error": "unauthorized", "message": "APIトークンが必要です"}


def authenticate():
    """before_request: resolve `Authorization: Bearer ink_…` into g.api_user / g.actor, or answer 401 / 403."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    token = _bearer_token()
    user = None
    if token:
        with product().session_factory() as session:
            user = accounts.user_for_token(session, token)
    if user is None:
        response = jsonify(UNAUTHORIZED)
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="inkan"'
        return response
    g.api_user = user
    g.actor = Actor(user.username, user.role, user.display_name)
    if user.role == "auditor" and request.method not in READ_METHODS:
        raise ApiError(403, "forbidden", "監査の役割では閲覧だけができます")
    return None


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
