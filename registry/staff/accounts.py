"""Create staff users, check passwords (scrypt), issue and resolve API tokens."""

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.errors import RegistryError
from registry.staff.models import ROLES, ApiToken, StaffUser

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(stored: str, password: str) -> bool:
    try:
        _, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    digest = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt_hex), **SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)


def add_user(session: Session, username: str, role: str, password: str, display_name: str | None = None) -> StaffUser:
    """Create a user, or reset role and password of an existing one; raise RegistryError on a bad role."""
    if role not in ROLES:
        raise RegistryError(f"役割 {role} は存在しません（{', '.join(ROLES)}）")
    if len(password) < 8:
        raise RegistryError("パスワードは8文字以上にしてください")
    user = find_user(session, username)
    if user is None:
        user = StaffUser(username=username, display_name=display_name or username, role=role,
                         password_hash=hash_password(password))
        session.add(user)
    else:
        user.role, user.password_hash = role, hash_password(password)
        user.display_name = display_name or user.display_name
    session.flush()
    return user


def find_user(session: Session, username: str) -> StaffUser | None:
    return session.scalars(select(StaffUser).where(StaffUser.username == username)).first()


def authenticate(session: Session, username: str, password: str) -> StaffUser | None:
    user = find_user(session, username)
    if user is None or not user.is_active or not password_matches(user.password_hash, password):
        return None
    return user


def issue_token(session: Session, username: str) -> str:
    """Create an API token for the user and return it (only its hash is stored); raise RegistryError."""
    user = find_user(session, username)
    if user is None:
        raise RegistryError(f"利用者 {username} は存在しません")
    token = "ink_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_sha256=hashlib.sha256(token.encode()).hexdigest()))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> StaffUser | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = session.scalars(select(ApiToken).where(ApiToken.token_sha256 == digest,
                                                 ApiToken.revoked_at.is_(None))).first()
    if row is None:
        return None
    user = session.get(StaffUser, row.user_id)
    return user if user is not None and user.is_active else None
