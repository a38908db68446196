"""保証書 (4.1.2 identity path b): who may vouch, how often, and the record of each accepted guarantee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.seals.models import Guarantee, RecordStatus, Registration
from registry.seals.suspension import is_suspended_or_scheduled

__all__ = ["GuaranteeLimits", "GuarantorRefusal", "accept_guarantee", "guarantee_of_instance", "guarantor_refusal",
           "limit_refusal"]

DEFAULT_PER_DAY = 1
DEFAULT_PER_YEAR = 12


@dataclass(frozen=True)
class GuaranteeLimits:
    """How many applicants one guarantor may vouch for per day and per calendar year (INKAN_GUARANTOR_*)."""

    per_day: int = DEFAULT_PER_DAY
    per_year: int = DEFAULT_PER_YEAR


@dataclass(frozen=True)
class GuarantorRefusal:
    code: str
    message: str


def guarantor_refusal(record: Registration | None, applicant_id: str, today: date) -> GuarantorRefusal | None:
    """Why this registration cannot vouch today (not found, closed, suspended, the applicant themself), or None."""
    if record is None:
        return GuarantorRefusal("guarantor_not_registered", "保証人の印鑑登録が見つかりません")
    if record.status != RecordStatus.REGISTERED:
        label = RecordStatus.LABELS.get(record.status, record.status)
        return GuarantorRefusal("guarantor_closed", f"保証人の印鑑登録は{label}されているため、保証人になれません")
    if is_suspended_or_scheduled(record, today):
        return GuarantorRefusal("guarantor_suspended",
                                "保証人の印鑑登録は証明書の交付が一時停止（6.2.1）されているため、保証人になれません")
    if record.resident_id == applicant_id:
        return GuarantorRefusal("guarantor_is_applicant", "申請者本人は保証人になれません")
    return None


def limit_refusal(session: Session, record: Registration, today: date, limits: GuaranteeLimits, *,
                  instance_id: int | None) -> GuarantorRefusal | None:
    """The per-day / per-year limit this guarantor has reached (this application's own guarantee not counted)."""
    if _count(session, record, today, today, instance_id) >= limits.per_day:
        return GuarantorRefusal("guarantor_daily_limit",
                                f"この保証人は本日すでに{limits.per_day}人の保証をしています（1日{limits.per_day}人まで）")
    first, last = date(today.year, 1, 1), date(today.year, 12, 31)
    if _count(session, record, first, last, instance_id) >= limits.per_year:
        return GuarantorRefusal("guarantor_yearly_limit",
                                f"この保証人は今年すでに{limits.per_year}人の保証をしています（1年{limits.per_year}人まで）")
    return None


def accept_guarantee(session: Session, record: Registration, *, instance_id: int, resident_id: str, today: date,
                     verdict: str, score: float | None, decided_by: str | None, decision_reason: str | None,
                     operator: str) -> Guarantee:
    """Record the accepted 保証書 of an application (once: a second call for the same instance updates it)."""
    row = guarantee_of_instance(session, instance_id) or Guarantee(instance_id=instance_id)
    row.guarantor_registration_id, row.guarantor_number = record.id, record.registration_number
    row.resident_id, row.vouched_on, row.stamp_verdict, row.stamp_score = resident_id, today, verdict, score
    row.decided_by, row.decision_reason, row.created_by = decided_by, decision_reason, operator
    session.add(row)
    session.flush()
    return row


def guarantee_of_instance(session: Session, instance_id: int) -> Guarantee | None:
    return session.scalars(select(Guarantee).where(Guarantee.instance_id == instance_id)).first()


def _count(session: Session, record: Registration, first: date, last: date, instance_id: int | None) -> int:
    query = select(func.count(Guarantee.id)).where(Guarantee.guarantor_registration_id == record.id,
                                                   Guarantee.vouched_on >= first, Guarantee.vouched_on <= last)
    if instance_id is not None:
        query = query.where(Guarantee.instance_id != instance_id)
    return session.scalar(query) or 0
