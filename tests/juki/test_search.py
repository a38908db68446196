"""2.1.3 基本検索 on the simulated register, run on SQLite and (when reachable) PostgreSQL."""

from datetime import date

import pytest

from juki import DEMO_RESIDENTS, InvalidQuery, ResidentQuery, SimulatedRegister, generate_population

POPULATION = generate_population()
TODAY = date(2026, 4, 1)


def _expected(predicate, include_former: bool = False) -> set[str]:
    return {
        resident.resident_id
        for resident in POPULATION
        if predicate(resident) and (include_former or resident.status == "resident")
    }


def _ids(residents) -> set[str]:
    return {resident.resident_id for resident in residents}


@pytest.mark.parametrize("typed", ["さとう", "ｻﾄｳ", "サトウ", "サ　ト ウ", "ｻ ﾄｳ"])
def test_kana_prefix_accepts_hiragana_half_width_and_spaces(register: SimulatedRegister, typed: str) -> None:
    found = register.search(ResidentQuery(kana=typed, limit=1000))
    expected = _expected(lambda r: r.kana.replace("\u3000", "").startswith("サトウ"))
    assert len(expected) > 5
    assert _ids(found) == expected
    assert register.count(ResidentQuery(kana=typed)) == len(expected)


def test_kana_prefix_across_the_space_finds_the_demo_resident(register: SimulatedRegister) -> None:
    found = register.search(ResidentQuery(kana="やまだたろう"))
    assert [resident.resident_id for resident in found] == [DEMO_RESIDENTS["eligible"]]


def test_kana_with_voiced_half_width_marks(register: SimulatedRegister) -> None:
    found = register.search(ResidentQuery(kana="ﾀﾞ", limit=1000))  # half-width ﾀ + ﾞ folds to ダ
    assert _ids(found) == _expected(lambda r: r.kana.startswith("ダ"))


def test_results_are_ordered_by_kana_then_birth_date(register: SimulatedRegister) -> None:
    found = register.search(ResidentQuery(kana="ス", limit=1000))
    keys = [(resident.kana.replace("\u3000", ""), resident.birth_date) for resident in found]
    assert len(keys) > 20
    assert keys == sorted(keys)


def test_paging_with_limit_and_offset(register: SimulatedRegister) -> None:
    everything = register.search(ResidentQuery(kana="カ", limit=1000))
    page = register.search(ResidentQuery(kana="カ", limit=10, offset=5))
    assert page == everything[5:15]


def test_name_substring_ignores_spaces(register: SimulatedRegister) -> None:
    found = register.search(ResidentQuery(name="田中", limit=1000))
    assert _ids(found) == _expected(lambda r: "田中" in r.name or "田中" in (r.common_name or ""))
    assert DEMO_RESIDENTS["eligible"] in _ids(register.search(ResidentQuery(name="山田太郎")))
    assert DEMO_RESIDENTS["eligible"] in _ids(register.search(ResidentQuery(name="田　太")))


def test_name_matches_the_common_name_and_the_alphabet_name(register: SimulatedRegister) -> None:
    foreign = DEMO_RESIDENTS["foreign"]
    assert foreign in _ids(register.search(ResidentQuery(name="王小明")))
    assert foreign in _ids(register.search(ResidentQuery(name="xiaoming")))
    assert foreign in _ids(register.search(ResidentQuery(name="ＷＡＮＧ　ＸＩＡＯ")))


def test_like_wildcards_in_criteria_are_literal(register: SimulatedRegister) -> None:
    assert register.search(ResidentQuery(name="%")) == []
    assert register.search(ResidentQuery(address="_")) == []


def test_birth_date(register: SimulatedRegister) -> None:
    found = register.search(ResidentQuery(birth_date=date(1980, 5, 12)))
    assert DEMO_RESIDENTS["eligible"] in _ids(found)
    assert _ids(found) == _expected(lambda r: r.birth_date == date(1980, 5, 12))


def test_birth_date_given_as_iso_text(register: SimulatedRegister) -> None:
    found = register.search(ResidentQuery(birth_date="1972-10-20"))  # type: ignore[arg-type]
    assert DEMO_RESIDENTS["single"] in _ids(found)


def test_address_substring_with_full_width_digits(register: SimulatedRegister) -> None:
    found = register.search(ResidentQuery(address="中央一丁目２番３号"))
    assert _ids(found) == _expected(lambda r: "中央一丁目2番3号" in r.address)
    assert {DEMO_RESIDENTS["eligible"], DEMO_RESIDENTS["spouse"], DEMO_RESIDENTS["child"]} <= _ids(found)


def test_address_combined_with_kana(register: SimulatedRegister) -> None:
    found = register.search(ResidentQuery(address="見本ハイツ101", kana="ヤマダ　ハ"))
    assert _ids(found) == {DEMO_RESIDENTS["spouse"]}


def test_resident_id_is_exact(register: SimulatedRegister) -> None:
    resident_id = DEMO_RESIDENTS["single"]
    assert _ids(register.search(ResidentQuery(resident_id=resident_id))) == {resident_id}
    assert _ids(register.search(ResidentQuery(resident_id="１００００００００７４"))) == {resident_id}
    assert register.search(ResidentQuery(resident_id=resident_id[:-1])) == []


def test_household_id(register: SimulatedRegister) -> None:
    found = register.search(ResidentQuery(household_id="h0000001"))
    assert _ids(found) == {DEMO_RESIDENTS[role] for role in ("eligible", "spouse", "child")}


def test_former_residents_only_with_include_former(register: SimulatedRegister) -> None:
    for role in ("moved_out", "deceased"):
        resident_id = DEMO_RESIDENTS[role]
        assert register.search(ResidentQuery(resident_id=resident_id)) == []
        former = register.search(ResidentQuery(resident_id=resident_id, include_former=True))
        assert [resident.status for resident in former] == [role]
    current = register.count(ResidentQuery(kana="タ"))
    everyone = register.count(ResidentQuery(kana="タ", include_former=True))
    assert everyone - current == len(_expected(lambda r: r.kana.startswith("タ"), True)) - len(
        _expected(lambda r: r.kana.startswith("タ"))
    )
    assert everyone > current


@pytest.mark.parametrize(
    "query",
    [
        ResidentQuery(),
        ResidentQuery(kana="", name="  ", address="　"),
        ResidentQuery(include_former=True),
        ResidentQuery(kana="山田"),
        ResidentQuery(birth_date="1980-13-01"),  # type: ignore[arg-type]
        ResidentQuery(resident_id="1000-0000-017"),
        ResidentQuery(kana="ヤ", limit=0),
        ResidentQuery(kana="ヤ", offset=-1),
    ],
)
def test_invalid_queries_are_refused(register: SimulatedRegister, query: ResidentQuery) -> None:
    with pytest.raises(InvalidQuery) as raised:
        register.search(query)
    assert raised.value.code == "invalid_query"
    assert raised.value.message
    with pytest.raises(InvalidQuery):
        register.count(query)


def test_get_resident(register: SimulatedRegister) -> None:
    resident = register.get_resident(DEMO_RESIDENTS["deceased"])
    assert resident is not None and resident.status == "deceased"
    assert register.get_resident("99999999999") is None
    with pytest.raises(InvalidQuery):
        register.get_resident(" ")


def test_household_members_are_current_members_head_first(register: SimulatedRegister) -> None:
    members = register.household_members("H0000001")
    assert [member.resident_id for member in members] == [
        DEMO_RESIDENTS["eligible"], DEMO_RESIDENTS["spouse"], DEMO_RESIDENTS["child"],
    ]
    tanaka = register.household_members("H0000003")
    assert [member.name for member in tanaka] == ["田中　和子"]  # the deceased husband is not listed
    assert register.household_members("H0000002") == []  # the only member moved out
    assert register.household_members("H9999999") == []


def test_household_members_match_the_population(register: SimulatedRegister) -> None:
    by_household: dict[str, list[str]] = {}
    for resident in POPULATION:
        if resident.status == "resident":
            by_household.setdefault(resident.household_id, []).append(resident.resident_id)
    large = [key for key, ids in by_household.items() if len(ids) >= 5][:5]
    assert large
    for key in large:
        members = register.household_members(key)
        assert {member.resident_id for member in members} == set(by_household[key])
        assert members[0].relationship == "世帯主"
