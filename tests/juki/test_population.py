"""The synthetic population: size, determinism, composition and shares."""

import random
import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from juki import DEMO_RESIDENTS, SimHousehold, SimResident, generate_population, seed_population
from juki.addresses import AddressBook
from juki.ids import is_valid_resident_id
from juki.names import GIVEN_NAMES, SURNAMES

TODAY = date(2026, 4, 1)
KATAKANA = re.compile(r"[\u30a1-\u30fc]+")
ADDRESS = re.compile(r"見本市[^\d\s]+?[一二三四五六七八九]丁目\d+番\d+号( \S+\d{3,4})?")


@pytest.fixture(scope="module")
def population():
    return generate_population()


def test_size_and_households(population) -> None:
    assert len(population) == 2400
    households = Counter(resident.household_id for resident in population)
    assert 850 <= len(households) <= 1100
    sizes = Counter(households.values())
    assert sizes[1] > 150 and sizes[2] > 150 and sum(count for size, count in sizes.items() if size >= 4) > 100


def test_same_seed_same_population_other_seed_other_population(population) -> None:
    assert generate_population()[:50] == population[:50]
    other = generate_population(seed=7)
    assert other[:12] == population[:12]  # the demo residents are fixed
    assert other[12:50] != population[12:50]


def test_other_sizes_and_today() -> None:
    assert len(generate_population(size=30)) == 30
    assert generate_population(size=0) == []
    later = generate_population(size=12, today=date(2030, 4, 1))
    child = next(resident for resident in later if resident.resident_id == DEMO_RESIDENTS["child_under_15"])
    assert child.age_on(date(2030, 4, 1)) == 14


def test_demo_residents_come_first(population) -> None:
    first = {resident.resident_id for resident in population[:12]}
    assert set(DEMO_RESIDENTS.values()) <= first
    assert population[0].resident_id == DEMO_RESIDENTS["eligible"]


def test_ids_are_unique_checked_and_eleven_digits(population) -> None:
    ids = [resident.resident_id for resident in population]
    assert len(set(ids)) == len(ids)
    assert all(is_valid_resident_id(resident_id) for resident_id in ids)
    assert all(re.fullmatch(r"H\d{7}", resident.household_id) for resident in population)


def test_every_household_has_one_head_and_realistic_members(population) -> None:
    households: dict[str, list] = {}
    for resident in population:
        households.setdefault(resident.household_id, []).append(resident)
    kinds = Counter()
    for members in households.values():
        if len(members) == len(set(m.resident_id for m in members)) and members[0].relationship == "世帯主":
            kinds["headed"] += 1
        relationships = {member.relationship for member in members}
        if relationships & {"父", "母", "孫"}:
            kinds["three_generations"] += 1
        if {"妻", "子"} <= relationships:
            kinds["couple_with_children"] += 1
        if len({member.address for member in members}) == 1:
            kinds["one_address"] += 1
    assert kinds["headed"] >= len(households) - 1  # the last household may be cut by the size limit
    assert kinds["one_address"] == len(households)
    assert kinds["three_generations"] > 30 and kinds["couple_with_children"] > 150


def test_children_share_the_family_name_and_are_younger_than_parents(population) -> None:
    heads = {r.household_id: r for r in population if r.relationship == "世帯主"}
    children = [r for r in population if r.relationship == "子" and r.nationality == "JP"]
    for child in children:
        head = heads[child.household_id]
        assert child.surname == head.surname
        assert child.birth_date > head.birth_date


def test_ages_span_zero_to_hundred_with_children_under_15(population) -> None:
    ages = [resident.age_on(TODAY) for resident in population]
    assert min(ages) == 0 and 95 <= max(ages) <= 100
    assert 0.10 <= sum(age < 15 for age in ages) / len(ages) <= 0.20
    assert 0.18 <= sum(age >= 65 for age in ages) / len(ages) <= 0.35


def test_shares_of_special_cases(population) -> None:
    size = len(population)
    foreign = [r for r in population if r.nationality != "JP"]
    assert 0.02 * size <= len(foreign) <= 0.04 * size
    with_common_name = sum(r.common_name is not None for r in foreign)
    assert 0.3 * len(foreign) <= with_common_name <= 0.7 * len(foreign)
    assert sum(r.old_surname is not None for r in population) == round(0.02 * size)
    assert sum(r.lacks_capacity for r in population) == round(0.01 * size)
    statuses = Counter(r.status for r in population)
    assert statuses["moved_out"] == round(0.03 * size) and statuses["deceased"] == round(0.02 * size)
    assert all(r.common_name is None for r in population if r.nationality == "JP")
    assert all((r.status == "resident") == (r.status_date is None) for r in population)
    assert all(r.status_date is None or r.birth_date <= r.status_date <= TODAY for r in population)
    assert all(r.age_on(TODAY) >= 20 for r in population if r.lacks_capacity)


def test_names_and_readings(population) -> None:
    assert len(SURNAMES) >= 80
    for sex in ("男", "女"):
        assert len({kanji for era in GIVEN_NAMES[sex].values() for kanji, _ in era}) >= 120
    for kanji, kana in SURNAMES + tuple(n for eras in GIVEN_NAMES.values() for era in eras.values() for n in era):
        assert kanji and KATAKANA.fullmatch(kana), (kanji, kana)
    for resident in population:
        assert all(KATAKANA.fullmatch(part) for part in resident.kana.split("\u3000")), resident.kana
        if resident.nationality == "JP":
            assert resident.name.count("\u3000") == 1 and resident.kana.count("\u3000") == 1
        else:
            assert resident.name == resident.name.upper() and resident.name.isascii()
            assert resident.katakana_name == resident.kana


def test_addresses_are_in_mihon_city(population) -> None:
    for resident in population:
        assert ADDRESS.fullmatch(resident.address), resident.address
    assert any(" " in resident.address for resident in population)
    assert any(" " not in resident.address for resident in population)
    by_address = {}
    for resident in population:
        assert by_address.setdefault(resident.address, resident.household_id) == resident.household_id


def test_address_book_keeps_handing_out_unique_addresses_past_the_drawn_lots() -> None:
    # A city of 100,000 residents needs more house lots than the 35,112 drawn ones (57 丁目 × 28番 × 22号)
    book = AddressBook(random.Random(1))
    houses = [book.house() for _ in range(36_000)]
    rooms = [book.apartment() for _ in range(1_500)]
    assert len(set(houses + rooms)) == len(houses) + len(rooms)
    assert all(ADDRESS.fullmatch(address) for address in houses + rooms)
    assert any(int(re.search(r"(\d+)号", address).group(1)) > 22 for address in houses)


def test_seed_population_inserts_once(sqlite_engine) -> None:
    with sqlite_engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        residents = session.scalars(select(func.count()).select_from(SimResident)).one()
        households = session.scalars(select(func.count()).select_from(SimHousehold)).one()
        assert residents == 2400
        assert households == len({r.household_id for r in generate_population()})
        assert seed_population(session) == 0
        head = session.get(SimHousehold, "H0000001")
        assert head is not None and head.head_resident_id == DEMO_RESIDENTS["eligible"]
        session.close()
        transaction.rollback()
