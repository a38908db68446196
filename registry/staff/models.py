"""Staff accounts of the registry office, their API tokens and the sign-in throttle counters."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, utcnow

ROLES = ("madoguchi", "backyard", "manager", "auditor", "admin")


class StaffUser(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Every signed-in session carries the generation it was opened with; raising it ends them all (logout,
    # password change, deactivation) however many web processes hold one.
    session_generation: Mapped[int] = mapped_column(default=0)
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]


class ApiToken(Base):
    """Only the token's SHA-256 is kept; the token itself is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LoginThrottle(Base):
    """Failed sign-ins counted per account name ('account') or per client address ('address').

    Kept in the database so every web process sees the same count. Unknown account names get a row like
    known ones, so the answers never tell whether a name exists.
    """

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(100))
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(index=True)
    blocked_until: Mapped[datetime | None]  # the growing delay after the free failures
    locked_until: Mapped[datetime | None]  # the account lock after LOCK_AFTER failures
