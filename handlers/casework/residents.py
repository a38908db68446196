"""Applicants for cases: adults of the simulated register whom nobody registered and no earlier case used.

The fixed demo residents (juki.DEMO_RESIDENTS) are never handed out: cases and tests name them on purpose, and a
case may change its applicant in the register (a death, a move).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.casework.errors import NoApplicantLeft
from juki import DEMO_RESIDENTS
from juki.models import SimResident
from registry.seals.models import Registration

__all__ = ["fresh_adults"]

ADULT_AGE = 20


def fresh_adults(session: Session, today: date, used: set[str], *, count: int = 1, alone: bool = True) -> list[str]:
    """`count` unregistered adults with capacity nobody used yet, added to `used`: one living alone (`alone`), or
    members of one household. Raise NoApplicantLeft."""
    excluded = used | set(DEMO_RESIDENTS.values()) | set(session.scalars(select(Registration.resident_id)))
    cutoff = date(today.year - ADULT_AGE, 1, 1)
    sizes = (select(SimResident.household_id, func.count().label("size")).where(SimResident.status == "resident")
             .group_by(SimResident.household_id).subquery())
    query = (select(SimResident.resident_id, SimResident.household_id)
             .join(sizes, sizes.c.household_id == SimResident.household_id)
             .where(SimResident.status == "resident", SimResident.birth_date < cutoff,
                    SimResident.lacks_capacity.is_(False), (sizes.c.size == 1) if alone else (sizes.c.size >= count))
             .order_by(SimResident.household_id, SimResident.resident_id))
    households: dict[str, list[str]] = {}
    for resident_id, household_id in session.execute(query):
        if resident_id in excluded:
            continue
        members = households.setdefault(household_id, [])
        members.append(resident_id)
        if len(members) == count:
            used.update(members)
            return members
    raise NoApplicantLeft("条件に合う住民（未登録の成人）が見つかりません")
