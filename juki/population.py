"""Deterministic synthetic population of 見本市 for the simulated register.

``generate_population`` starts with the fixed demo residents (see ``juki.demo`` and ``DEMO_RESIDENTS``), then
adds random households (single, couple, couple + children, single parent, three generations, cohabitants) until
``size`` people exist. About 3 % are foreign residents (alphabet name, カタカナ表記, half with a kanji 通称),
2 % carry a 旧氏, 1 % lack capacity (成年被後見), 3 % have moved out and 2 % have died. The same seed and
``today`` always give the same list.
"""

import random
from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from juki.addresses import AddressBook
from juki.client import STATUS_RESIDENT, Resident
from juki.conditions import assign_conditions
from juki.dates import birth_date_for_age
from juki.demo import DEMO_RESIDENTS, demo_addresses, demo_residents
from juki.households import HouseholdPlan, plan_foreign_household, plan_household
from juki.ids import FIRST_RANDOM_PAYLOAD, LAST_PAYLOAD, household_id, resident_id
from juki.models import SimHousehold, SimResident
from juki.naming import Naming, PersonName
from juki.rows import resident_row_values

__all__ = ["DEMO_RESIDENTS", "generate_population", "seed_population"]

DEFAULT_SIZE = 2400
DEFAULT_SEED = 20260401
DEFAULT_TODAY = date(2026, 4, 1)
FOREIGN_SHARE = 0.03
COMMON_NAME_SHARE = 0.5
APARTMENT_SHARE = {
    "single": 0.65, "couple": 0.4, "nuclear": 0.3, "single_parent": 0.5, "three_generations": 0.05,
    "cohabitants": 0.8,
}


def generate_population(size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED,
                        today: date = DEFAULT_TODAY) -> list[Resident]:
    """Return ``size`` residents, the demo residents first; raises ValueError if ``size`` is negative."""
    if size < 0:
        raise ValueError("人口は0以上で指定してください。")
    rng = random.Random(seed)
    residents = demo_residents(today)
    builder = _HouseholdBuilder(rng, today, {resident.resident_id for resident in residents})
    number = max(int(resident.household_id[1:]) for resident in residents)
    while len(residents) < size:
        number += 1
        residents += builder.build(household_id(number))
    return assign_conditions(rng, residents[:size], today, fixed=len(demo_residents(today)))


def seed_population(session: Session, size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED,
                    today: date = DEFAULT_TODAY) -> int:
    """Insert the population and its households when the simulator tables are empty; return rows inserted.

    Returns 0 (and inserts nothing) when either table already holds rows. The caller commits.
    """
    for model in (SimResident, SimHousehold):
        if session.scalars(select(func.count()).select_from(model)).one():
            return 0
    residents = generate_population(size, seed, today)
    if not residents:
        return 0
    session.execute(insert(SimHousehold), household_rows(residents))
    session.execute(insert(SimResident), [resident_row_values(resident) for resident in residents])
    return len(residents)


def household_rows(residents: Iterable[Resident]) -> list[dict[str, str]]:
    """Return one ``juki_sim_household`` row per household: its head (世帯主, else first member) and address."""
    heads: dict[str, Resident] = {}
    for resident in residents:
        current = heads.get(resident.household_id)
        if current is None or (resident.relationship == "世帯主" and current.relationship != "世帯主"):
            heads[resident.household_id] = resident
    return [
        {"household_id": key, "head_resident_id": head.resident_id, "address": head.address}
        for key, head in heads.items()
    ]


class _HouseholdBuilder:
    """Turns household plans into residents with names, ids, birth dates and a shared address."""

    def __init__(self, rng: random.Random, today: date, taken_ids: set[str]) -> None:
        self._rng = rng
        self._today = today
        self._taken_ids = taken_ids
        self._addresses = AddressBook(rng, reserved=demo_addresses())
        self._naming = Naming(rng)
        self._people = len(taken_ids)
        self._foreign = self._common = 0

    def build(self, household: str) -> list[Resident]:
        """Return the members of a new random household numbered ``household``."""
        foreign = self._foreign < FOREIGN_SHARE * (self._people + 1) and self._rng.random() < 0.25
        plan = plan_foreign_household(self._rng) if foreign else plan_household(self._rng)
        address = self._address(plan, foreign)
        births = [birth_date_for_age(self._rng, member.age, self._today) for member in plan.members]
        names = self._names(plan, births, foreign)
        self._people += len(names)
        return [
            Resident(
                resident_id=self._new_id(), household_id=household, name=name.name, kana=name.kana,
                birth_date=born, sex=member.sex, address=address, status=STATUS_RESIDENT, status_date=None,
                relationship=member.relationship, nationality=name.nationality, common_name=name.common_name,
                katakana_name=name.katakana_name, old_surname=None, lacks_capacity=False,
            )
            for member, born, name in zip(plan.members, births, names, strict=True)
        ]

    def _names(self, plan: HouseholdPlan, births: list[date], foreign: bool) -> list[PersonName]:
        """Name the household, keeping foreign residents near 3 % and half of them with a 通称."""
        if not foreign:
            return self._naming.household(plan, births)
        behind = self._common < COMMON_NAME_SHARE * (self._foreign + len(births))
        common_names = self._rng.random() < (0.8 if behind else 0.2)
        self._foreign += len(births)
        self._common += len(births) if common_names else 0
        return self._naming.foreign_household(plan, births, common_names)

    def _address(self, plan: HouseholdPlan, foreign: bool) -> str:
        share = 0.8 if foreign else APARTMENT_SHARE[plan.kind]
        return self._addresses.apartment() if self._rng.random() < share else self._addresses.house()

    def _new_id(self) -> str:
        while True:
            candidate = resident_id(self._rng.randint(FIRST_RANDOM_PAYLOAD, LAST_PAYLOAD))
            if candidate not in self._taken_ids:
                self._taken_ids.add(candidate)
                return candidate

