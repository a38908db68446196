"""Staff accounts: signing in (throttled), passwords, activation, unlocking and API tokens — each audited.

A sign-in runs in two short transactions around the password check (scrypt, ~50 ms): the first counts the
attempt in the throttle (registry/staff/throttle.py), the second records the outcome. An unknown name is
checked against a dummy hash, so it costs the same time and gets the same answer as a wrong password.
Administrative operations take one transaction each and write one audit event; `actor` is whoever acts
(engine.actor.Actor or handlers.environment.Operator: a username and a role).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from handlers.environment import HandlerServices, Operator
from registry.staff import accounts, throttle
from registry.staff.accounts import AccountError
from registry.staff.models import StaffUser

__all__ = ["ACCOUNT_EVENT_KINDS", "Account", "SignIn", "UserRow", "activate", "add_user", "change_own_password",
           "deactivate", "issue_token", "record_logout", "revoke_tokens", "set_password", "sign_in", "unlock", "user_rows"]

ACCOUNT_EVENT_KINDS = ("login", "login_failed", "login_locked", "logout", "account_unlocked", "account_added",
                       "password_changed", "account_deactivated", "account_activated", "token_issued",
                       "token_revoked")
WRONG_CREDENTIALS = "利用者名またはパスワードが違います"


@dataclass(frozen=True)
class Account:
    """What the web layer keeps of a signed-in user (no ORM object leaves its session)."""

    id: int
    username: str
    display_name: str
    role: str
    session_generation: int

    @classmethod
    def of(cls, user: StaffUser) -> Account:
        return cls(user.id, user.username, user.display_name, user.role, user.session_generation or 0)


@dataclass(frozen=True)
class SignIn:
    """A sign-in's outcome: the account, or a refusal code with its Japanese message (and seconds to wait)."""

    account: Account | None
    refusal: str | None = None  # wrong_credentials / login_throttled / account_locked
    message: str = ""
    retry_after: int = 0


@dataclass(frozen=True)
class UserRow:
    """One line of the users admin page."""

    user: StaffUser
    locked_until: datetime | None
    failures: int
    live_tokens: int


@dataclass(frozen=True)
class _Check:
    admission: throttle.Admission
    user: StaffUser | None
    reason: str | None  # None: the password is right and the user active


def sign_in(session_factory: sessionmaker[Session], services: HandlerServices, username: str, password: str,
            address: str | None) -> SignIn:
    """Check a name and password under the throttle; audit the success, the failure and a lock."""

    def signed_in(session: Session, user: StaffUser) -> None:
        user.last_login_at = services.utcnow()
        services.record_audit(session, _operator(user), "login", title=username, summary={"address": address})

    return _with_password(session_factory, services, username, password, address, signed_in, WRONG_CREDENTIALS)


def change_own_password(session_factory: sessionmaker[Session], services: HandlerServices, username: str,
                        current: str, new: str, address: str | None) -> SignIn:
    """The signed-in user's password change: the current password is checked under the same throttle as a
    sign-in; success ends every other session (the returned account carries the new generation).
    Raises AccountError when the new password is refused."""
    if problem := accounts.password_problem(new, username):
        raise accounts.PasswordRefused(problem)
    if new == current:
        raise accounts.PasswordRefused("新しいパスワードは今のパスワードと違うものにしてください")

    def changed(session: Session, user: StaffUser) -> None:
        accounts.set_password(user, new, services.utcnow())
        services.record_audit(session, _operator(user), "password_changed", title=username,
                              summary={"by": "self", "address": address})

    return _with_password(session_factory, services, username, current, address, changed, "今のパスワードが違います")


def record_logout(session: Session, services: HandlerServices, user_id: int) -> None:
    """Sign-out: every session of the user ends, on every device."""
    user = session.get(StaffUser, user_id, with_for_update=True)
    if user is not None:
        accounts.end_sessions(user)
        services.record_audit(session, _operator(user), "logout", title=user.username)


def add_user(session: Session, services: HandlerServices, actor: Any, username: str, role: str, password: str,
             display_name: str | None = None, *, replace: bool = True) -> StaffUser:
    """Create a user (or, with `replace`, reset role and password of an existing one); raise AccountError."""
    existing = accounts.find_user(session, username)
    if existing is not None and not replace:
        raise AccountError(f"利用者 {username} は既に存在します")
    if existing is not None and existing.role == "admin" and role != "admin" and existing.is_active \
            and accounts.active_admins(session) <= 1:
        raise AccountError("最後の有効なシステム管理者の役割は変えられません")
    existed = existing is not None
    user = accounts.add_user(session, username, role, password, display_name, now=services.utcnow())
    services.record_audit(session, actor, "account_added", title=username,
                          summary={"role": role, "display_name": user.display_name, "replaced": existed})
    return user


def set_password(session: Session, services: HandlerServices, actor: Any, username: str, password: str) -> None:
    """An administrator sets a user's password; the user's sessions end. Raise AccountError."""
    user = accounts.get_user(session, username, for_update=True)
    accounts.set_password(user, password, services.utcnow())
    services.record_audit(session, actor, "password_changed", title=username, summary={"by": actor.username})


def deactivate(session: Session, services: HandlerServices, actor: Any, username: str) -> None:
    """The user can no longer sign in or use tokens, and every session ends. Raise AccountError."""
    user = accounts.get_user(session, username, for_update=True)
    if user.username == actor.username:
        raise AccountError("自分自身を無効にすることはできません")
    if not user.is_active:
        raise AccountError(f"利用者 {username} は既に無効です")
    if user.role == "admin" and accounts.active_admins(session) <= 1:
        raise AccountError("最後の有効なシステム管理者は無効にできません")
    accounts.set_active(user, False)
    services.record_audit(session, actor, "account_deactivated", title=username, summary={"role": user.role})


def activate(session: Session, services: HandlerServices, actor: Any, username: str) -> None:
    user = accounts.get_user(session, username, for_update=True)
    if user.is_active:
        raise AccountError(f"利用者 {username} は既に有効です")
    accounts.set_active(user, True)
    services.record_audit(session, actor, "account_activated", title=username, summary={"role": user.role})


def unlock(session: Session, services: HandlerServices, actor: Any, username: str) -> int:
    """Clear the user's failed sign-ins (lock and delay); return how many there were. Raise AccountError."""
    accounts.get_user(session, username)
    failures = throttle.unlock(session, username)
    if failures == 0:
        raise AccountError(f"利用者 {username} にはロックもログイン失敗の記録もありません")
    services.record_audit(session, actor, "account_unlocked", title=username, summary={"failures": failures})
    return failures


def issue_token(session: Session, services: HandlerServices, actor: Any, username: str,
                days: int = accounts.TOKEN_DAYS) -> str:
    """A new API token for the user, valid `days`; shown once. Raise AccountError."""
    token = accounts.issue_token(session, username, days, now=services.utcnow())
    services.record_audit(session, actor, "token_issued", title=username, summary={"days": days})
    return token


def revoke_tokens(session: Session, services: HandlerServices, actor: Any, username: str,
                  token_id: int | None = None) -> list[int]:
    """Revoke all the user's live tokens, or one; return the ids. Raise AccountError when there is none."""
    user = accounts.get_user(session, username)
    revoked = accounts.revoke_tokens(session, user, token_id, now=services.utcnow())
    if not revoked:
        raise AccountError(f"利用者 {username} に有効なAPIトークンはありません")
    services.record_audit(session, actor, "token_revoked", title=username, summary={"token_ids": revoked})
    return revoked


def user_rows(session: Session, services: HandlerServices, users: list[StaffUser] | None = None) -> list[UserRow]:
    """Every user (or these) with lock state, failed sign-ins and live token count, by name."""
    now = services.utcnow()
    users = accounts.all_users(session) if users is None else users
    counters = throttle.account_counters(session, [user.username for user in users])
    tokens = accounts.live_token_counts(session, now)
    rows = []
    for user in users:
        counter = counters.get(user.username)
        until = counter.locked_until if counter is not None else None
        rows.append(UserRow(user, until if until is not None and until > now else None,
                            counter.failures if counter is not None else 0, tokens.get(user.id, 0)))
    return rows


# ---- the sign-in steps --------------------------------------------------------------------------------------
def _with_password(session_factory: sessionmaker[Session], services: HandlerServices, username: str,
                   password: str, address: str | None, succeed, wrong_message: str) -> SignIn:
    """Check the password under the throttle; on success run `succeed(session, user)` in the second transaction,
    otherwise audit the failure (and a lock)."""
    check = _check_password(session_factory, services, username, password, address)
    if check.admission.refused_by:
        return _refused(check.admission)
    with session_factory.begin() as session:
        if check.reason is None:
            throttle.forgive(session, username, throttle.address_key(address))
            user = accounts.get_user(session, username, for_update=True)
            succeed(session, user)
            return SignIn(Account.of(user))
        _record_failure(session, services, username, check, address)
    return SignIn(None, "wrong_credentials", wrong_message)


def _check_password(session_factory: sessionmaker[Session], services: HandlerServices, username: str,
                    password: str, address: str | None) -> _Check:
    with session_factory.begin() as session:
        admission = throttle.admit(session, username, throttle.address_key(address), services.utcnow())
        user = accounts.find_user(session, username)
    if admission.refused_by:
        return _Check(admission, user, "refused")
    matches = accounts.password_matches(user.password_hash if user else accounts.DUMMY_HASH, password)
    reason = "unknown_user" if user is None else "wrong_password" if not matches else \
        "inactive" if not user.is_active else None
    return _Check(admission, user, reason)


def _record_failure(session: Session, services: HandlerServices, username: str, check: _Check,
                    address: str | None) -> None:
    admission = check.admission
    actor = _operator(check.user) if check.user else Operator(username[:100], "unknown")
    services.record_audit(session, actor, "login_failed", title=username[:200],
                          summary={"reason": check.reason, "address": address, "failures": admission.failures,
                                   "address_failures": admission.address_failures})
    if admission.locks_account:
        policy = throttle.DEFAULT_POLICY
        services.record_audit(session, actor, "login_locked", title=username[:200],
                              summary={"failures": admission.failures, "address": address,
                                       "minutes": int(policy.lock_for.total_seconds() // 60)})


def _refused(admission: throttle.Admission) -> SignIn:
    wait = _wait_text(admission.retry_after)
    if admission.locked:
        return SignIn(None, "account_locked", f"ログインの失敗が続いたため、この利用者はロックされています。"
                      f"{wait}後にもう一度お試しいただくか、システム管理者に解除を依頼してください",
                      admission.retry_after)
    where = "この端末から" if admission.refused_by == throttle.ADDRESS else ""
    return SignIn(None, "login_throttled", f"{where}ログインの失敗が続いています。{wait}後にもう一度お試しください",
                  admission.retry_after)


def _wait_text(seconds: int) -> str:
    return f"{seconds}秒" if seconds < 60 else f"{math.ceil(seconds / 60)}分"


def _operator(user: StaffUser) -> Operator:
    return Operator(user.username, user.role)
