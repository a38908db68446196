"""Naming of planned households: family surnames, generation-typical given names, foreign names and 通称."""

import random
from dataclasses import dataclass
from datetime import date

from juki.client import NAME_SEPARATOR
from juki.demo import demo_residents
from juki.foreign_names import NAME_SETS, ForeignName, NameSet
from juki.households import HouseholdPlan, Member
from juki.names import GIVEN_NAMES, SURNAMES, Name, era_of

_WIFE_KEEPS_SURNAME = frozenset({"CN", "KR", "VN"})


@dataclass(frozen=True)
class PersonName:
    """The name fields of one resident."""

    name: str
    kana: str
    nationality: str = "JP"
    common_name: str | None = None
    katakana_name: str | None = None


class Naming:
    """Draws names from a seeded random generator; never reproduces a demo resident's name or kana."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._surname_weights = [1 / (rank + 8) for rank in range(len(SURNAMES))]
        reserved = demo_residents(date(2026, 4, 1))
        self._reserved = {resident.name for resident in reserved} | {resident.kana for resident in reserved}

    def household(self, plan: HouseholdPlan, births: list[date]) -> list[PersonName]:
        """Return Japanese names for a household: one family surname, 同居人 with their own."""
        family = self.surname()
        used: set[str] = set()
        names = []
        for member, born in zip(plan.members, births, strict=True):
            surname = self.surname() if member.own_surname else family
            names.append(self._japanese(surname, member.sex, born, used))
        return names

    def foreign_household(self, plan: HouseholdPlan, births: list[date], common_names: bool) -> list[PersonName]:
        """Return foreign names for a household of one nationality; children take the father's surname.

        With ``common_names`` every member gets a 通称: the kanji form of a Chinese or Korean name, otherwise a
        Japanese name with a surname shared by the household.
        """
        name_set = self._rng.choices(NAME_SETS, weights=[entry.weight for entry in NAME_SETS])[0]
        family = self._rng.choice(name_set.surnames)
        common_surname = self.surname()[0] if common_names else None
        names = []
        for member, born in zip(plan.members, births, strict=True):
            surname = family
            if member.own_surname and name_set.nationality in _WIFE_KEEPS_SURNAME:
                surname = self._rng.choice(name_set.surnames)
            names.append(self._foreign(name_set, surname, member, born, common_surname))
        return names

    def surname(self) -> Name:
        """Return a Japanese surname, common ones more often."""
        return self._rng.choices(SURNAMES, weights=self._surname_weights)[0]

    def given_name(self, sex: str, born: date) -> Name:
        """Return a given name typical of the sex and the era of birth."""
        return self._rng.choice(GIVEN_NAMES[sex][era_of(born.year)])

    def _japanese(self, surname: Name, sex: str, born: date, used: set[str]) -> PersonName:
        while True:
            given = self.given_name(sex, born)
            name = f"{surname[0]}{NAME_SEPARATOR}{given[0]}"
            kana = f"{surname[1]}{NAME_SEPARATOR}{given[1]}"
            if given[1] not in used and name not in self._reserved and kana not in self._reserved:
                used.add(given[1])
                return PersonName(name, kana)

    def _foreign(self, name_set: NameSet, surname: ForeignName, member: Member, born: date,
                 common_surname: str | None) -> PersonName:
        given = self._rng.choice(name_set.male if member.sex == "男" else name_set.female)
        parts = [surname, given]
        if name_set.middle:
            parts.insert(1, name_set.middle[member.sex])
        alphabet = " ".join(part[0] for part in parts)
        kana = NAME_SEPARATOR.join(part[1] for part in parts)
        common = None
        if common_surname is not None:
            common = self._common_name(surname, given, member.sex, born, common_surname)
        return PersonName(alphabet, kana, name_set.nationality, common, kana)

    def _common_name(self, surname: ForeignName, given: ForeignName, sex: str, born: date,
                     japanese_surname: str) -> str:
        """Return a kanji 通称: the kanji form of a Chinese or Korean name, else a Japanese name."""
        if surname[2] and given[2]:
            return f"{surname[2]}{NAME_SEPARATOR}{given[2]}"
        return f"{japanese_surname}{NAME_SEPARATOR}{self.given_name(sex, born)[0]}"
