"""6.2.1 証明書交付一時停止 / 6.2.2 解除 on the record: the period, written with a history entry each time."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from registry.errors import NotEligible
from registry.seals.models import RecordStatus, Registration
from registry.seals.records import add_history

__all__ = ["SUSPENDED", "LIFTED", "is_suspended_or_scheduled", "lift", "suspend", "widened"]

SUSPENDED = "交付一時停止"  # 異動事由 of 6.2.1
LIFTED = "交付一時停止解除"  # 異動事由 of 6.2.2


def is_suspended_or_scheduled(record: Registration, today: date) -> bool:
    """A suspension that is in force today or starts later (both are lifted by 6.2.2)."""
    return record.suspended_from is not None and (record.suspended_until is None or today <= record.suspended_until)


def suspend(session: Session, record: Registration, *, start: date, until: date | None, today: date,
            operator: str, instance_id: int | None, details: dict[str, Any]) -> None:
    """6.2.1: set the period (until None = until lifted); raise NotEligible for a closed record or a bad period."""
    if record.status != RecordStatus.REGISTERED:
        raise NotEligible("廃止または抹消された印鑑登録は一時停止できません", "registration_closed")
    if until is not None and until < start:
        raise NotEligible("停止の終了日が開始日より前です", "bad_period")
    if until is not None and until < today:
        raise NotEligible("停止の終了日が過ぎています", "bad_period")
    period = widened(record, start, until, today)
    _set_period(session, record, period, SUSPENDED, period[0], operator, instance_id, details)


def widened(record: Registration, start: date, until: date | None, today: date) -> tuple[date, date | None]:
    """The period a new 6.2.1 leaves on the record: a suspension already in force or scheduled is only widened.

    Shortening one (a later start, an earlier end) is lifting it, which only 6.2.2 does, in person: a phone report
    of loss suspends at once (4.4.1.2) and the 6.2.1 record completed afterwards cannot reopen issuance.
    """
    if not is_suspended_or_scheduled(record, today):
        return start, until
    old_until = record.suspended_until
    assert record.suspended_from is not None  # is_suspended_or_scheduled
    return min(start, record.suspended_from), None if until is None or old_until is None else max(until, old_until)


def lift(session: Session, record: Registration, *, today: date, operator: str, instance_id: int | None,
         details: dict[str, Any]) -> None:
    """6.2.2: clear the period; raise NotEligible when nothing is suspended."""
    if record.status != RecordStatus.REGISTERED:
        raise NotEligible("廃止または抹消された印鑑登録です", "registration_closed")
    if not is_suspended_or_scheduled(record, today):
        raise NotEligible("この印鑑登録は証明書の交付を一時停止していません", "not_suspended")
    _set_period(session, record, (None, None), LIFTED, today, operator, instance_id, details)


def _set_period(session: Session, record: Registration, period: tuple[date | None, date | None], reason: str,
                effective: date, operator: str, instance_id: int | None, details: dict[str, Any]) -> None:
    """Write the period and its history entry (before / after period plus the request's details)."""
    before = _period(record)
    record.suspended_from, record.suspended_until = period
    session.flush()
    add_history(session, record, reason, effective, operator, instance_id, before=before,
                after=_period(record) | details)


def _period(record: Registration) -> dict[str, Any]:
    return {"suspended_from": record.suspended_from, "suspended_until": record.suspended_until}
