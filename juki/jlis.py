"""5.4 J-LIS checks of the My Number card's 利用者証明用電子証明書: serial → valid / revoked / expired / unknown.

``SimulatedJlis`` answers from the ``juki_sim_certificate`` table (the admin page 「J-LIS シミュレータ」 adds,
revokes and expires certificates). A serial the table does not hold is judged by a fixed rule, so demo and
scenario data work without setting anything up: shorter than 8 characters → unknown, ending in 'DEAD' → revoked,
in '0000' → expired, otherwise valid.

The simulator can also fail like the real neighbour (issue 5, "failure of a neighbour"): an administrator sets
it to 「応答なし（障害）」 or 「遅延」 (``juki_sim_jlis_state``). Then ``certificate_status`` raises
``JlisUnavailable`` — at once when down, after INKAN_JLIS_TIMEOUT when the delay is longer than that timeout —
so the caller's service task becomes an incident to retry and a kiosk request is refused, nothing written.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.errors import InvalidChange, JlisUnavailable
from juki.models import SimCertificate, SimJlisState

__all__ = ["MODES", "STATUSES", "CertificateStatus", "JlisClient", "JlisState", "SimulatedJlis",
           "certificate_status_in", "normalize_serial", "put_certificate", "recent_certificates", "set_state",
           "state_of"]

STATUS_VALID, STATUS_REVOKED, STATUS_EXPIRED, STATUS_UNKNOWN = "valid", "revoked", "expired", "unknown"
STATUSES = {STATUS_VALID: "有効", STATUS_REVOKED: "失効", STATUS_EXPIRED: "有効期限切れ", STATUS_UNKNOWN: "不明"}
MESSAGES = {
    STATUS_VALID: "利用者証明用電子証明書は有効です（J-LIS確認済み）",
    STATUS_REVOKED: "利用者証明用電子証明書が失効しています",
    STATUS_EXPIRED: "利用者証明用電子証明書の有効期限が切れています",
    STATUS_UNKNOWN: "電子証明書のシリアル番号が確認できません",
}
_SERIAL = re.compile(r"^[0-9A-Z]{8,60}$")
MODE_NORMAL, MODE_DOWN, MODE_SLOW = "normal", "down", "slow"
MODES = {MODE_NORMAL: "正常", MODE_DOWN: "応答なし（障害）", MODE_SLOW: "遅延"}
MAX_DELAY_SECONDS = 600.0


@dataclass(frozen=True)
class CertificateStatus:
    valid: bool
    status: str  # 'valid' | 'revoked' | 'expired' | 'unknown'
    message: str


class JlisClient(Protocol):
    def certificate_status(self, serial: str, session: Session | None = None) -> CertificateStatus:
        """The certificate's state; ``session`` is the caller's unit of work (an external J-LIS ignores it)."""
        ...


@dataclass(frozen=True)
class JlisState:
    """The simulator's behaviour as the admin page shows it."""

    mode: str = MODE_NORMAL
    delay_seconds: float | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None

    @property
    def label(self) -> str:
        return MODES[self.mode] + (f"（{self.delay_seconds:g}秒）" if self.mode == MODE_SLOW else "")


class SimulatedJlis:
    """The simulated J-LIS, reading the certificate table through the caller's session when given one.

    Handlers pass their session: on SQLite every transaction takes the write lock, so a second session opened
    inside a service task would wait for the task's own transaction. ``timeout`` is INKAN_JLIS_TIMEOUT: how long
    the client waits for an answer before it gives up with ``JlisUnavailable``.
    """

    def __init__(self, session_factory: Callable[[], Session] | None = None, *, timeout: float = 5.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._session_factory = session_factory
        self.timeout = timeout
        self._sleep = sleep

    def certificate_status(self, serial: str, session: Session | None = None) -> CertificateStatus:
        """Raises JlisUnavailable while the simulator is set to 応答なし, or to a 遅延 beyond the timeout."""
        if session is not None:
            return self._answer(session, serial)
        if self._session_factory is None:
            return rule_status(normalize_serial(serial))
        with self._session_factory() as own:
            return self._answer(own, serial)

    def _answer(self, session: Session, serial: str) -> CertificateStatus:
        state = state_of(session)
        if state.mode == MODE_DOWN:
            raise JlisUnavailable()
        if state.mode == MODE_SLOW and state.delay_seconds:
            self._sleep(min(state.delay_seconds, self.timeout))  # the clerk waits as long as for the real J-LIS
            if state.delay_seconds > self.timeout:
                raise JlisUnavailable(f"J-LIS（地方公共団体情報システム機構）が{self.timeout:g}秒以内に応答しませんでした。"
                                      "電子証明書を確認できません。しばらくしてから「再試行」してください。")
        return certificate_status_in(session, serial)


def normalize_serial(serial: str | None) -> str:
    """Serials are compared upper-case without spaces or hyphens, as printed on the card's chip reader."""
    return re.sub(r"[\s\-]", "", serial or "").upper()


def certificate_status_in(session: Session, serial: str | None) -> CertificateStatus:
    """The certificate's state: the table's row when there is one, else the fixed rule."""
    key = normalize_serial(serial)
    row = session.get(SimCertificate, key) if key else None
    return _status(row.status) if row is not None else rule_status(key)


def rule_status(serial: str) -> CertificateStatus:
    """The fixed answer for serials the simulator's table does not hold."""
    if not _SERIAL.match(serial):
        return _status(STATUS_UNKNOWN)
    if serial.endswith("DEAD"):
        return _status(STATUS_REVOKED)
    if serial.endswith("0000"):
        return _status(STATUS_EXPIRED)
    return _status(STATUS_VALID)


def put_certificate(session: Session, serial: str, status: str, *, actor: str, resident_id: str | None = None,
                    note: str | None = None) -> SimCertificate:
    """Record (or change) a certificate's state; raises InvalidChange for a malformed serial or state."""
    key = normalize_serial(serial)
    if not _SERIAL.match(key):
        raise InvalidChange("シリアル番号は英数字8〜60文字で入力してください。")
    if status not in (STATUS_VALID, STATUS_REVOKED, STATUS_EXPIRED):
        raise InvalidChange("証明書の状態は 有効・失効・有効期限切れ のいずれかです。")
    row = session.get(SimCertificate, key)
    if row is None:
        row = SimCertificate(serial=key, status=status, resident_id=resident_id, note=note,
                             updated_at=_now(), updated_by=actor)
        session.add(row)
    else:
        row.status, row.updated_at, row.updated_by = status, _now(), actor
        row.resident_id = resident_id or row.resident_id
        row.note = note or row.note
    session.flush()
    return row


def state_of(session: Session) -> JlisState:
    row = session.get(SimJlisState, 1)
    if row is None:
        return JlisState()
    return JlisState(row.mode, row.delay_seconds, row.updated_at, row.updated_by)


def set_state(session: Session, mode: str, delay_seconds: str | float | None, *, actor: str) -> JlisState:
    """Switch the simulator to 正常 / 応答なし（障害） / 遅延 (``delay_seconds`` required for 遅延 only).

    Raises InvalidChange for an unknown mode or a delay that is not a number of seconds in (0, 600].
    """
    if mode not in MODES:
        raise InvalidChange("J-LIS の動作は 正常・応答なし（障害）・遅延 のいずれかを選んでください。")
    delay = _delay(delay_seconds) if mode == MODE_SLOW else None
    row = session.get(SimJlisState, 1)
    if row is None:
        row = SimJlisState(id=1)
        session.add(row)
    row.mode, row.delay_seconds, row.updated_at, row.updated_by = mode, delay, _now(), actor
    session.flush()
    return state_of(session)


def _delay(value: str | float | None) -> float:
    try:
        delay = float(str(value).strip())
    except ValueError:
        delay = float("nan")
    if not 0 < delay <= MAX_DELAY_SECONDS:  # also refuses NaN
        raise InvalidChange(f"遅延の秒数は0より大きく{MAX_DELAY_SECONDS:g}以下の数で入力してください。")
    return delay


def recent_certificates(session: Session, limit: int = 100) -> list[SimCertificate]:
    return list(session.scalars(select(SimCertificate).order_by(SimCertificate.updated_at.desc()).limit(limit)))


def _status(status: str) -> CertificateStatus:
    return CertificateStatus(status == STATUS_VALID, status, MESSAGES[status])


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
