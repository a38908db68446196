"""Household compositions of the synthetic population: who lives together, with which 続柄, sex and age.

A plan says nothing about names or addresses; ``juki.population`` dresses it. Shares and age ranges are rough
figures for a Japanese provincial city (many single and elderly households, few large ones).
"""

import random
from dataclasses import dataclass

MAX_AGE = 100


@dataclass(frozen=True)
class Member:
    """One planned member: 続柄 to the head, sex, age on the reference day, and whether the family name is own."""

    relationship: str
    sex: str
    age: int
    own_surname: bool = False


@dataclass(frozen=True)
class HouseholdPlan:
    """A household to create: its kind (for address choice) and its members, head first."""

    kind: str
    members: tuple[Member, ...]


def plan_household(rng: random.Random) -> HouseholdPlan:
    """Return a random Japanese household composition."""
    kinds = (_single, _couple, _nuclear, _single_parent, _three_generations, _cohabitants)
    build = rng.choices(kinds, weights=(27, 28, 25, 6, 12, 2))[0]
    return HouseholdPlan(build.__name__.lstrip("_"), tuple(build(rng)))


def plan_foreign_household(rng: random.Random) -> HouseholdPlan:
    """Return a household of foreign residents: mostly single workers and students, some couples and families."""
    kind = rng.choices(("single", "couple", "nuclear"), weights=(60, 25, 15))[0]
    if kind == "single":
        return HouseholdPlan(kind, (Member("世帯主", rng.choice("男女"), rng.randint(19, 48)),))
    husband_age = rng.randint(25, 50)
    members = [Member("世帯主", "男", husband_age), _wife(rng, husband_age, own_surname=True)]
    if kind == "nuclear":
        members += _children(rng, members[1].age, rng.randint(1, 2))
    return HouseholdPlan(kind, tuple(members))


def _single(rng: random.Random) -> list[Member]:
    low, high = rng.choices(((20, 34), (35, 64), (65, 74), (75, 84), (85, 94), (95, 100)),
                            weights=(24, 28, 18, 18, 10, 2))[0]
    age = rng.randint(low, high)
    female_share = 0.65 if age >= 65 else 0.45
    return [Member("世帯主", "女" if rng.random() < female_share else "男", age)]


def _couple(rng: random.Random) -> list[Member]:
    head_age = rng.randint(24, 39) if rng.random() < 0.2 else rng.randint(58, 94)
    if rng.random() < 0.08:
        return [Member("世帯主", "女", head_age), Member("夫", "男", _clamp(head_age + rng.randint(-2, 5), 20))]
    return [Member("世帯主", "男", head_age), _wife(rng, head_age)]


def _nuclear(rng: random.Random) -> list[Member]:
    mother_age = rng.randint(28, 62)
    father = Member("世帯主", "男", _clamp(mother_age + rng.randint(-2, 6), 22))
    count = rng.choices((1, 2, 3), weights=(40, 45, 15))[0]
    return [father, Member("妻", "女", mother_age), *_children(rng, mother_age, count)]


def _single_parent(rng: random.Random) -> list[Member]:
    parent_age = rng.randint(28, 52)
    parent = Member("世帯主", "女" if rng.random() < 0.8 else "男", parent_age)
    return [parent, *_children(rng, parent_age, rng.randint(1, 2))]


def _three_generations(rng: random.Random) -> list[Member]:
    if rng.random() < 0.6:
        return _with_parents(rng)
    return _with_grandchildren(rng)


def _with_parents(rng: random.Random) -> list[Member]:
    """Head in mid-life with wife and children, and the head's own parent(s)."""
    members = _nuclear(rng)
    father_age = _clamp(members[0].age + rng.randint(25, 35), 50)
    mother_age = _clamp(father_age - rng.randint(0, 5), 48)
    which = rng.choices(("both", "mother", "father"), weights=(55, 30, 15))[0]
    if which in ("both", "father"):
        members.append(Member("父", "男", father_age))
    if which in ("both", "mother"):
        members.append(Member("母", "女", mother_age))
    return members


def _with_grandchildren(rng: random.Random) -> list[Member]:
    """Elderly head with wife, their son, the son's wife (子の妻) and grandchildren (孫)."""
    head_age = rng.randint(60, 85)
    son_age = _clamp(head_age - rng.randint(25, 35), 25)
    daughter_in_law_age = _clamp(son_age + rng.randint(-5, 2), 23)
    members = [Member("世帯主", "男", head_age), _wife(rng, head_age), Member("子", "男", son_age)]
    members.append(Member("子の妻", "女", daughter_in_law_age))
    members += [
        Member("孫", child.sex, child.age) for child in _children(rng, daughter_in_law_age, rng.randint(1, 2))
    ]
    return members


def _cohabitants(rng: random.Random) -> list[Member]:
    head_age = rng.randint(22, 40)
    other_age = _clamp(head_age + rng.randint(-4, 4), 20)
    return [Member("世帯主", rng.choice("男女"), head_age), Member("同居人", rng.choice("男女"), other_age, True)]


def _wife(rng: random.Random, husband_age: int, own_surname: bool = False) -> Member:
    return Member("妻", "女", _clamp(husband_age + rng.randint(-6, 2), 20), own_surname)


def _children(rng: random.Random, mother_age: int, count: int) -> list[Member]:
    """Return up to ``count`` children, eldest first, born to a mother aged 22–42, two to five years apart."""
    if mother_age < 22:
        return []
    ages = [max(0, min(32, mother_age - rng.randint(25, 38)))]
    while len(ages) < count:
        next_age = ages[-1] - rng.randint(2, 5)
        if next_age < 0 or mother_age - next_age > 42:
            break
        ages.append(next_age)
    return [Member("子", rng.choice("男女"), age) for age in ages]


def _clamp(age: int, minimum: int) -> int:
    return max(minimum, min(MAX_AGE, age))
