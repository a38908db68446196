"""Staff users: passwords (scrypt), activation, session generations, and API tokens that expire."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.errors import RecordNotFound, RegistryError
from registry.staff.models import ROLES, ApiToken, StaffUser

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
MIN_PASSWORD = 12
MAX_PASSWORD = 200
TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 366
# Checked against when the name is unknown, so an unknown name costs the same scrypt as a known one.
DUMMY_HASH = "scrypt$" + "00" * 16 + "$" + "00" * 32


class AccountError(RegistryError):
    code = "account_error"


class UserNotFound(AccountError, RecordNotFound):
    code = "user_not_found"


class PasswordRefused(AccountError):
    code = "password_refused"


@dataclass(frozen=True)
class TokenCheck:
    """Who an API token belongs to, or why it is refused (token_invalid / token_expired / token_revoked …)."""

    user: StaffUser | None
    refusal: str | None = None


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(stored: str, password: str) -> bool:
    try:
        _, salt_hex, digest_hex = stored.split("$")
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        salt, digest_hex = b"\0" * 16, ""
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)


def password_problem(password: str, username: str = "") -> str | None:
    """Why this password may not be set (Japanese), or None."""
    if len(password) < MIN_PASSWORD:
        return f"パスワードは{MIN_PASSWORD}文字以上にしてください"
    if len(password) > MAX_PASSWORD:
        return f"パスワードは{MAX_PASSWORD}文字以内にしてください"
    if username and password.strip().casefold() == username.strip().casefold():
        return "利用者名と同じパスワードは使えません"
    return None


def add_user(session: Session, username: str, role: str, password: str, display_name: str | None = None,
             now: datetime | None = None) -> StaffUser:
    """Create a user, or reset role and password of an existing one; raise AccountError on a bad role/password."""
    if role not in ROLES:
        raise AccountError(f"役割 {role} は存在しません（{', '.join(ROLES)}）")
    if not username.strip() or len(username) > 100 or username != username.strip():
        raise AccountError("利用者名は前後に空白のない100文字以内で指定してください")
    user = find_user(session, username)
    if user is None:
        _refuse_password(password, username)
        user = StaffUser(username=username, display_name=display_name or username, role=role,
                         password_hash=hash_password(password), password_changed_at=now or utcnow())
        session.add(user)
    else:
        user.role = role
        user.display_name = display_name or user.display_name
        set_password(user, password, now)
    session.flush()
    return user


def set_password(user: StaffUser, password: str, now: datetime | None = None) -> None:
    """Store a new password and end every session of the user; raise PasswordRefused."""
    _refuse_password(password, user.username)
    user.password_hash = hash_password(password)
    user.password_changed_at = now or utcnow()
    end_sessions(user)


def end_sessions(user: StaffUser) -> None:
    """Every session opened before now stops being accepted (the generation they carry is old)."""
    user.session_generation = (user.session_generation or 0) + 1


def set_active(user: StaffUser, active: bool) -> None:
    user.is_active = active
    if not active:
        end_sessions(user)


def display_names(session: Session) -> dict[str, str]:
    """Every account's display name by login id (pages and documents name staff by it, never by login id)."""
    return {username: name for username, name in session.execute(select(StaffUser.username, StaffUser.display_name))}


def find_user(session: Session, username: str) -> StaffUser | None:
    return session.scalars(select(StaffUser).where(StaffUser.username == username)).first()


def get_user(session: Session, username: str, *, for_update: bool = False) -> StaffUser:
    """The user of that name; raise UserNotFound."""
    query = select(StaffUser).where(StaffUser.username == username)
    user = session.scalars(query.with_for_update() if for_update else query).first()
    if user is None:
        raise UserNotFound(f"利用者 {username} は存在しません")
    return user


def get_user_by_id(session: Session, user_id: int) -> StaffUser:
    """Raise UserNotFound."""
    user = session.get(StaffUser, user_id)
    if user is None:
        raise UserNotFound("利用者が見つかりません")
    return user


def all_users(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.username)))


def active_admins(session: Session) -> int:
    return session.scalar(select(func.count(StaffUser.id)).where(StaffUser.role == "admin",
                                                                 StaffUser.is_active.is_(True))) or 0


def issue_token(session: Session, username: str, days: int = TOKEN_DAYS, now: datetime | None = None) -> str:
    """Create an API token valid for `days` and return it (only its hash is stored); raise AccountError."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise AccountError(f"APIトークンの有効日数は1〜{MAX_TOKEN_DAYS}日で指定してください")
    user = get_user(session, username)
    token = "ink_" + secrets.token_urlsafe(32)
    issued = now or utcnow()
    session.add(ApiToken(user_id=user.id, token_sha256=_digest(token), created_at=issued,
                         expires_at=issued + timedelta(days=days)))
    session.flush()
    return token


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def live_token_counts(session: Session, now: datetime) -> dict[int, int]:
    """Unrevoked, unexpired tokens per user id."""
    rows = session.execute(select(ApiToken.user_id, func.count(ApiToken.id))
                           .where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
                           .group_by(ApiToken.user_id))
    return {user_id: count for user_id, count in rows}


def revoke_tokens(session: Session, user: StaffUser, token_id: int | None = None,
                  now: datetime | None = None) -> list[int]:
    """Revoke all the user's live tokens (or the one `token_id`); return the ids revoked; raise AccountError."""
    query = select(ApiToken.id).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if token_id is not None:
        query = query.where(ApiToken.id == token_id)
    ids = list(session.scalars(query))
    if token_id is not None and not ids:
        raise AccountError(f"利用者 {user.username} に有効なAPIトークン（ID {token_id}）はありません")
    if ids:
        session.execute(update(ApiToken).where(ApiToken.id.in_(ids)).values(revoked_at=now or utcnow()))
    return ids


def user_for_token(session: Session, token: str, now: datetime) -> TokenCheck:
    """The user behind a bearer token, or why the token is refused."""
    # the token and its user in one query: every API request asks this first
    found = session.execute(select(ApiToken, StaffUser).outerjoin(StaffUser, StaffUser.id == ApiToken.user_id)
                            .where(ApiToken.token_sha256 == _digest(token))).first()
    if found is None:
        return TokenCheck(None, "token_invalid")
    row, user = found
    if row.revoked_at is not None:
        return TokenCheck(None, "token_revoked")
    if row.expires_at <= now:
        return TokenCheck(None, "token_expired")
    if user is None or not user.is_active:
        return TokenCheck(None, "account_inactive")
    return TokenCheck(user)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _refuse_password(password: str, username: str) -> None:
    if problem := password_problem(password, username):
        raise PasswordRefused(problem)
