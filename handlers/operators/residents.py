"""2.2.1 登録内容照会 on top of the resident register (住基); the guarantor check is in handlers/operators/guarantors.py."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from handlers.base import HandlerError, ServiceContext
from handlers.results import Inquired, ResidentSummary
from juki import InvalidQuery
from juki.client import JukiClient, Resident
from registry.seals import records
from registry.seals.rules import Eligibility, PersonFacts, check_eligibility


def resident_summary(resident: Resident) -> ResidentSummary:
    """The resident's data as task data: JSON only, the register's key included."""
    return {
        "resident_id": resident.resident_id, "household_id": resident.household_id, "name": resident.name,
        "kana": resident.kana, "birth_date": resident.birth_date.isoformat(), "sex": resident.sex,
        "address": resident.address, "status": resident.status, "common_name": resident.common_name,
        "katakana_name": resident.katakana_name, "old_surname": resident.old_surname,
        "foreign": resident.is_foreign,
    }


def find_resident(ctx: ServiceContext, resident_id: str | None) -> Resident | None:
    """The resident, or None when the id is blank, malformed or unknown to the register."""
    return lookup_resident(ctx.services.juki_factory(ctx.session), resident_id)


def lookup_resident(juki: JukiClient, resident_id: str | None) -> Resident | None:
    if not resident_id or not str(resident_id).strip():
        return None
    try:
        return juki.get_resident(str(resident_id).strip())
    except InvalidQuery:
        return None


def inquire(ctx: ServiceContext, resident_id: str) -> Inquired:
    """2.2.1 登録内容照会: who the applicant is and whether they may register (4.1.2 eligibility)."""
    resident = find_resident(ctx, resident_id)
    active = records.active_registration_of(ctx.session, resident.resident_id) if resident else None
    result = eligibility_of(ctx.session, resident, ctx.today(), ctx.services.settings.min_age)
    if resident is not None:
        ctx.subject.name, ctx.subject.resident_id = resident.name, resident.resident_id
    return {
        "eligible": result.eligible, "reason": result.reason, "message": result.message,
        "resident": resident_summary(resident) if resident else None,
        "registration_number": active.registration_number if active else None,
    }


def eligibility_of(session: Session, resident: Resident | None, today: date, min_age: int) -> Eligibility:
    """May this resident (juki.Resident, None when unknown) register today (4.1.2 eligibility)?"""
    if resident is None:
        return check_eligibility(None, today, has_active_registration=False, min_age=min_age)
    facts = PersonFacts(resident.resident_id, resident.status, resident.birth_date, resident.lacks_capacity)
    active = records.active_registration_of(session, resident.resident_id)
    return check_eligibility(facts, today, has_active_registration=active is not None, min_age=min_age)


def require_resident(ctx: ServiceContext, resident_id: str) -> Resident:
    resident = find_resident(ctx, resident_id)
    if resident is None:
        raise HandlerError(f"住民 {resident_id} が住民基本台帳に見つかりません", code="resident_not_found")
    return resident


OPERATORS = [
    ("inkan.registry.inquire", "2.2.1", "登録内容照会（登録資格の確認）", inquire),
]
