"""Conditions drawn over the whole synthetic population: 旧氏, lack of capacity, 死亡 and 転出.

Each is given to a fixed share of the population (demo residents count towards it and are never changed), so the
shares hold whatever the household mix turned out to be. Draws are weighted: lack of capacity and death favour
the elderly; moving out favours people living alone and grown children.
"""

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from juki.client import HEAD_OF_HOUSEHOLD, STATUS_DECEASED, STATUS_MOVED_OUT, STATUS_RESIDENT, Resident
from juki.dates import date_within
from juki.names import SURNAMES

OLD_SURNAME_SHARE = 0.02
LACKS_CAPACITY_SHARE = 0.01
DECEASED_SHARE = 0.02
MOVED_OUT_SHARE = 0.03
_MARRIED_IN = frozenset({"妻", "子の妻", "母", "夫"})


def assign_conditions(rng: random.Random, residents: list[Resident], today: date, fixed: int) -> list[Resident]:
    """Return ``residents`` with 旧氏, lack of capacity, 死亡 and 転出 drawn; the first ``fixed`` stay as they are."""
    return _Conditions(rng, residents, today, fixed).apply()


class _Conditions:
    """One pass of condition draws over a population list."""

    def __init__(self, rng: random.Random, residents: list[Resident], today: date, fixed: int) -> None:
        self._rng = rng
        self._people = list(residents)
        self._today = today
        self._fixed = fixed
        self._sizes = Counter(resident.household_id for resident in residents)

    def apply(self) -> list[Resident]:
        """Draw every condition in turn and return the new list."""
        self._draw(OLD_SURNAME_SHARE, self._married_in, lambda r: r.old_surname is not None, self._with_old_surname)
        self._draw(LACKS_CAPACITY_SHARE, self._adult, lambda r: r.lacks_capacity,
                   lambda r: replace(r, lacks_capacity=True))
        self._draw(DECEASED_SHARE, self._may_die, lambda r: r.status == STATUS_DECEASED,
                   lambda r: self._closed(r, STATUS_DECEASED, 1095))
        self._draw(MOVED_OUT_SHARE, self._may_move_out, lambda r: r.status == STATUS_MOVED_OUT,
                   lambda r: self._closed(r, STATUS_MOVED_OUT, 730))
        return self._people

    def _draw(self, share: float, weight: Callable[[Resident], float], has: Callable[[Resident], bool],
              apply: Callable[[Resident], Resident]) -> None:
        wanted = round(share * len(self._people)) - sum(1 for resident in self._people if has(resident))
        keyed = []
        for index in range(self._fixed, len(self._people)):
            draw, value = self._rng.random(), weight(self._people[index])
            if value > 0:
                keyed.append((draw ** (1 / value), index))  # weighted sampling without replacement
        keyed.sort(reverse=True)
        for index in sorted(index for _, index in keyed[: max(0, wanted)]):
            self._people[index] = apply(self._people[index])

    def _age(self, resident: Resident) -> int:
        return resident.age_on(self._today)

    def _married_in(self, resident: Resident) -> float:
        return float(resident.nationality == "JP" and resident.relationship in _MARRIED_IN)

    def _adult(self, resident: Resident) -> float:
        age = self._age(resident)
        return 0.0 if age < 20 else (6.0 if age >= 75 else 1.0)

    def _may_die(self, resident: Resident) -> float:
        alone_or_member = resident.relationship != HEAD_OF_HOUSEHOLD or self._sizes[resident.household_id] == 1
        return float(max(0, self._age(resident) - 55)) if alone_or_member else 0.0

    def _may_move_out(self, resident: Resident) -> float:
        age = self._age(resident)
        alone = self._sizes[resident.household_id] == 1 and 18 <= age <= 64
        grown_child = resident.relationship == "子" and 18 <= age <= 35
        return float(resident.status == STATUS_RESIDENT and (alone or grown_child))

    def _with_old_surname(self, resident: Resident) -> Resident:
        choices = [kanji for kanji, _ in SURNAMES if kanji != resident.surname]
        return replace(resident, old_surname=self._rng.choice(choices))

    def _closed(self, resident: Resident, status: str, within_days: int) -> Resident:
        day = date_within(self._rng, self._today, within_days, resident.birth_date)
        return replace(resident, status=status, status_date=day)
