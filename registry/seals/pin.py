"""5.2.4 暗証番号: the card's 4-digit PIN as a salted, peppered scrypt hash; three wrong entries lock it.

Only a clerk's reset (reset_pin) unlocks a locked PIN. The pepper is a server-side secret kept out of the
database, so a copied table alone cannot be brute-forced over the 10,000 possible PINs.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from registry.db import Base, utcnow
from registry.errors import RegistryError
from registry.seals import records
from registry.seals.models import Registration

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
MAX_FAILURES = 3
PIN_PATTERN = re.compile(r"\d{4}")


class PinError(RegistryError):
    code = "bad_pin"


class RegistrationPin(Base):
    """One row per registration that has a PIN; the hash never leaves the registry."""

    __tablename__ = "registration_pin"

    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), primary_key=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
    failures: Mapped[int] = mapped_column(default=0)
    locked_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class PinCheck:
    ok: bool
    locked: bool
    failures: int
    message: str


def hash_pin(pin: str, pepper: bytes, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode("ascii") + pepper, salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def _matches(stored: str, pin: str, pepper: bytes) -> bool:
    _, salt_hex, _ = stored.split("$")
    return hmac.compare_digest(hash_pin(pin, pepper, bytes.fromhex(salt_hex)), stored)


def pin_of(session: Session, record: Registration) -> RegistrationPin | None:
    return session.get(RegistrationPin, record.id)


def set_pin(session: Session, record: Registration, pin: str, pepper: bytes, *, today: date, operator: str,
            instance_id: int | None, reason: str = "暗証番号設定") -> RegistrationPin:
    """5.2.4: set or change the PIN (the caller has checked the old one); clears failures and the lock."""
    if not PIN_PATTERN.fullmatch(pin or ""):
        raise PinError("暗証番号は数字4桁で入力してください")
    existing = pin_of(session, record)
    row = existing or RegistrationPin(registration_id=record.id)
    row.pin_hash, row.failures, row.locked_at, row.updated_at = hash_pin(pin, pepper), 0, None, utcnow()
    session.add(row)
    session.flush()
    # The history says that the PIN changed, never what it is.
    records.add_history(session, record, reason, today, operator, instance_id,
                        before={"pin": "設定済み" if existing else "未設定"}, after={"pin": reason})
    return row


def verify_pin(session: Session, record: Registration, pin: str, pepper: bytes) -> PinCheck:
    """Check an entered PIN; the third wrong entry in a row locks it until a clerk resets it."""
    row = pin_of(session, record)
    if row is None:
        return PinCheck(False, False, 0, "暗証番号が設定されていません")
    if row.locked_at is not None:
        return PinCheck(False, True, row.failures, "暗証番号はロックされています。窓口で再設定してください")
    if _matches(row.pin_hash, pin or "", pepper):
        row.failures = 0
        session.flush()
        return PinCheck(True, False, 0, "暗証番号が一致しました")
    row.failures += 1
    if row.failures >= MAX_FAILURES:
        row.locked_at = utcnow()
    session.flush()
    left = MAX_FAILURES - row.failures
    message = ("暗証番号を3回誤ったためロックしました" if left <= 0
               else f"暗証番号が一致しません（あと{left}回でロック）")
    return PinCheck(False, row.locked_at is not None, row.failures, message)


def unlock_pin(session: Session, record: Registration, *, today: date, operator: str) -> RegistrationPin:
    """Lift a lock without changing the PIN (a clerk, after checking who the resident is); history says so."""
    row = pin_of(session, record)
    if row is None:
        raise PinError("暗証番号が設定されていません")
    row.failures, row.locked_at, row.updated_at = 0, None, utcnow()
    session.flush()
    records.add_history(session, record, "暗証番号ロック解除", today, operator, None,
                        before={"pin": "ロック"}, after={"pin": "ロック解除"})
    return row


def reset_pin(session: Session, record: Registration, pin: str, pepper: bytes, *, today: date, operator: str,
              instance_id: int | None) -> RegistrationPin:
    """A clerk's reset at the counter: a new PIN without the old one, which also lifts the lock."""
    return set_pin(session, record, pin, pepper, today=today, operator=operator, instance_id=instance_id,
                   reason="暗証番号再設定")
