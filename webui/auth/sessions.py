"""Signed-in sessions: opened at sign-in, ended everywhere at sign-out, timed out when idle or too old.

The session cookie holds the user id with its session generation (webui/auth/users.py), the time of sign-in
and the time of the last request. The clock is the product's (HandlerServices.clock), so tests move it.
"""

from __future__ import annotations

from flask import Flask, current_app, flash, request, session
from flask_login import current_user, login_user, logout_user

from handlers.services.staff import Account
from webui.auth.users import LoginUser
from webui.wiring import product

__all__ = ["close_session", "end_stale_session", "open_session", "register_session_checks", "renew_session"]

SIGNED_IN_AT, SEEN_AT = "signed_in_at", "seen_at"
SEEN_RESOLUTION = 15  # seconds: the last-request time is rewritten at most this often (fewer cookie updates)
UNTIMED_ENDPOINTS = ("static", "vendor.asset")  # files a page loads do not count as the clerk's activity


def open_session(account: Account) -> None:
    """A fresh session for the account (nothing of the anonymous one is kept)."""
    session.clear()
    login_user(LoginUser(account))
    session[SIGNED_IN_AT] = session[SEEN_AT] = _now()


def renew_session(account: Account) -> None:
    """Keep this session signed in after the account's generation changed (own password change)."""
    login_user(LoginUser(account))


def close_session() -> None:
    logout_user()
    session.clear()


def end_stale_session():
    """before_request: end a session that is idle too long, too old, or refused by the user loader
    (signed out elsewhere, password changed, account deactivated); the page then asks for a sign-in."""
    if "_user_id" not in session or request.endpoint in UNTIMED_ENDPOINTS or request.path.startswith("/api/"):
        return
    now, config = _now(), current_app.config
    signed_in, seen = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in, int | float) or not isinstance(seen, int | float):
        _end("もう一度ログインしてください")
    elif now - signed_in > float(config["SESSION_MAX_HOURS"]) * 3600:
        _end(f"ログインから{config['SESSION_MAX_HOURS']}時間が経過したため、ログアウトしました。もう一度ログインしてください")
    elif now - seen > float(config["SESSION_IDLE_MINUTES"]) * 60:
        _end(f"{config['SESSION_IDLE_MINUTES']}分間操作がなかったため、ログアウトしました。もう一度ログインしてください")
    elif not current_user.is_authenticated:
        _end("ログアウト・パスワード変更・利用停止のため、このログインは終了しました。もう一度ログインしてください")
    elif now - seen >= SEEN_RESOLUTION:
        session[SEEN_AT] = now


def register_session_checks(app: Flask) -> None:
    app.before_request(end_stale_session)


def _end(message: str) -> None:
    close_session()
    flash(message, "info")


def _now() -> float:
    return product().services.clock().timestamp()
