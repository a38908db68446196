"""The fixed demo residents exist in the seeded register with the properties documented in juki.demo."""

from datetime import date

from juki import DEMO_RESIDENTS, Resident, SimulatedRegister

TODAY = date(2026, 4, 1)


def _get(register: SimulatedRegister, role: str) -> Resident:
    resident = register.get_resident(DEMO_RESIDENTS[role])
    assert resident is not None, role
    return resident


def test_roles_and_ids() -> None:
    assert DEMO_RESIDENTS["eligible"] == "10000000017"
    assert DEMO_RESIDENTS["moved_out"] == "10000000025"
    assert set(DEMO_RESIDENTS) >= {
        "eligible", "spouse", "child_under_15", "moved_out", "deceased", "lacks_capacity", "foreign", "single",
    }
    assert len(set(DEMO_RESIDENTS.values())) == len(DEMO_RESIDENTS)


def test_eligible_head_of_household(register: SimulatedRegister) -> None:
    taro = _get(register, "eligible")
    assert (taro.name, taro.kana, taro.birth_date, taro.sex) == ("山田　太郎", "ヤマダ　タロウ", date(1980, 5, 12), "男")
    assert (taro.household_id, taro.relationship, taro.status) == ("H0000001", "世帯主", "resident")
    assert taro.address == "見本市中央一丁目2番3号 見本ハイツ101"
    assert not taro.lacks_capacity and taro.nationality == "JP" and taro.age_on(TODAY) >= 15


def test_spouse_with_old_surname(register: SimulatedRegister) -> None:
    hanako = _get(register, "spouse")
    assert (hanako.name, hanako.relationship, hanako.birth_date) == ("山田　花子", "妻", date(1982, 9, 30))
    assert hanako.old_surname == "佐藤"
    assert hanako.household_id == "H0000001"


def test_children(register: SimulatedRegister) -> None:
    ichiro = _get(register, "child")
    assert (ichiro.name, ichiro.relationship, ichiro.household_id) == ("山田　一郎", "子", "H0000001")
    assert ichiro.age_on(TODAY) == 10
    sakura = _get(register, "child_under_15")
    assert sakura.age_on(TODAY) == 14 and sakura.relationship == "子" and sakura.status == "resident"


def test_former_residents(register: SimulatedRegister) -> None:
    moved = _get(register, "moved_out")
    assert moved.status == "moved_out" and moved.status_date is not None and moved.status_date < TODAY
    dead = _get(register, "deceased")
    assert dead.status == "deceased" and dead.status_date is not None and dead.status_date < TODAY


def test_lacks_capacity_adult(register: SimulatedRegister) -> None:
    setsuko = _get(register, "lacks_capacity")
    assert setsuko.lacks_capacity and setsuko.age_on(TODAY) >= 15 and setsuko.status == "resident"


def test_foreign_resident(register: SimulatedRegister) -> None:
    wang = _get(register, "foreign")
    assert (wang.name, wang.common_name, wang.katakana_name) == ("WANG XIAOMING", "王　小明", "ワン　シャオミン")
    assert wang.nationality == "CN" and wang.kana == "ワン　シャオミン"
    assert (wang.surname, wang.given_name) == ("WANG", "XIAOMING")


def test_single_adult_lives_alone(register: SimulatedRegister) -> None:
    ichiro = _get(register, "single")
    assert (ichiro.name, ichiro.kana) == ("鈴木　一郎", "スズキ　イチロウ")
    assert [member.resident_id for member in register.household_members(ichiro.household_id)] == [
        ichiro.resident_id
    ]
