"""Which flows may be started for a person, and why not (no accidental cases).

A flow started for a known resident — from the start page's 住民ID, a 2.1.3 result row, a 2.2.1 page or
``POST /api/v1/instances`` with ``resident_id`` — must be one that person can use: 4.1.2 / 4.1.4 only for someone
who may register (15 or over, living in the city, not yet registered …: registry.seals.rules), the flows on an
existing record (6.1, 4.4.1, 5.3, 6.2.1, 6.2.2) only for someone with an active registration. Other flows (office
flows that find their record themselves) are not restricted here. Pages show the reason in place of the button;
a start that comes anyway is refused with it (StartNotAllowed, 422), and nothing is created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from handlers.operators.registration import REFUSAL_LABELS
from handlers.operators.residents import lookup_resident
from handlers.services.start_data import StartDataInvalid
from juki.errors import JukiUnavailable
from registry.seals import records
from registry.seals.rules import PersonFacts, check_eligibility

__all__ = ["ON_RECORD", "REGISTRATION", "StartNotAllowed", "StartOffer", "check_start_allowed", "offer_for_resident"]

REGISTRATION = frozenset({"sokuji_touroku", "shoukai_touroku"})  # 4.1.2, 4.1.4
ON_RECORD = frozenset({"shomeisho_kofu", "haishi", "hikikae_kofu", "ichiji_teishi", "teishi_kaijo"})
NOT_REGISTERED = ("not_registered", "印鑑登録なし", "印鑑登録がありません（この業務は登録されている方だけが対象です）")


class StartNotAllowed(StartDataInvalid):
    """The person given cannot use this flow (under 15, already registered, not resident, not registered …)."""

    code = "start_not_allowed"


@dataclass(frozen=True)
class StartOffer:
    allowed: bool
    reason: str = "ok"  # a registry.seals.rules reason, or not_registered
    label: str = ""  # short, for a list row: 15歳未満 / 登録済み / 市内に住所なし / 印鑑登録なし …
    message: str = ""  # the sentence a clerk reads


ALLOWED = StartOffer(True)


def offer_for_resident(process_id: str, resident, registered: bool, today: date, min_age: int) -> StartOffer:
    """May `process_id` be started for this resident (juki.Resident; `registered`: has an active registration)?"""
    if process_id in REGISTRATION:
        facts = PersonFacts(resident.resident_id, resident.status, resident.birth_date, resident.lacks_capacity)
        result = check_eligibility(facts, today, has_active_registration=registered, min_age=min_age)
        return ALLOWED if result.eligible else StartOffer(False, result.reason,
                                                          REFUSAL_LABELS.get(result.reason, result.reason),
                                                          result.message)
    if process_id in ON_RECORD:
        if resident.status != "resident":
            facts = PersonFacts(resident.resident_id, resident.status, resident.birth_date, False)
            result = check_eligibility(facts, today, has_active_registration=False, min_age=0)
            return StartOffer(False, result.reason, REFUSAL_LABELS.get(result.reason, result.reason),
                              result.message)
        return ALLOWED if registered else StartOffer(False, *NOT_REGISTERED)
    return ALLOWED


def check_start_allowed(session: Session, juki, process_id: str, resident_id: str | None, today: date,
                        min_age: int) -> None:
    """Raise StartNotAllowed (naming resident_id) when the person cannot use the flow; a register that cannot be
    asked now lets the start through (the flow's own 2.2.1 inquiry asks again and refuses on its path)."""
    if not resident_id or (process_id not in REGISTRATION and process_id not in ON_RECORD):
        return
    try:
        resident = lookup_resident(juki, resident_id)
    except JukiUnavailable:
        return
    if resident is None:
        return  # check_start_data refuses an unknown person
    registered = records.active_registration_of(session, resident.resident_id) is not None
    offer = offer_for_resident(process_id, resident, registered, today, min_age)
    if not offer.allowed:
        raise StartNotAllowed("resident_id", f"この方にはこの業務を開始できません（{offer.label}）: {offer.message}")

