"""Value types, normalization and the public surface of the juki package."""

from datetime import date
from types import SimpleNamespace

import pytest

import juki
from juki import InvalidQuery, JukiClient, JukiError, Resident, ResidentNotFound, SimulatedRegister
from juki.normalize import address_key, kana_key, name_key


def _resident(**changes) -> Resident:
    values = dict(
        resident_id="10000000017", household_id="H0000001", name="山田　太郎", kana="ヤマダ　タロウ",
        birth_date=date(1980, 5, 12), sex="男", address="見本市中央一丁目2番3号", status="resident",
        status_date=None, relationship="世帯主", nationality="JP", common_name=None, katakana_name=None,
        old_surname=None, lacks_capacity=False,
    )
    values.update(changes)
    return Resident(**values)


def test_exported_members() -> None:
    for name in juki.__all__:
        assert hasattr(juki, name), name
    assert {"JukiError", "ResidentNotFound", "InvalidQuery", "Resident", "ResidentQuery", "JukiClient",
            "SimulatedRegister", "Base", "generate_population", "seed_population", "DEMO_RESIDENTS"} <= set(
        juki.__all__
    )


@pytest.mark.parametrize(
    ("day", "age"),
    [(date(2026, 5, 11), 45), (date(2026, 5, 12), 46), (date(1980, 5, 12), 0), (date(2020, 12, 31), 40)],
)
def test_age_on(day: date, age: int) -> None:
    assert _resident().age_on(day) == age


def test_age_on_leap_day_birth() -> None:
    leapling = _resident(birth_date=date(2004, 2, 29))
    assert leapling.age_on(date(2025, 2, 28)) == 20
    assert leapling.age_on(date(2025, 3, 1)) == 21


def test_age_before_birth_is_refused() -> None:
    with pytest.raises(ValueError):
        _resident().age_on(date(1980, 5, 11))


def test_surname_and_given_name() -> None:
    assert (_resident().surname, _resident().given_name) == ("山田", "太郎")
    foreign = _resident(name="NGUYEN VAN NAM")
    assert (foreign.surname, foreign.given_name) == ("NGUYEN", "VAN NAM")


def test_errors_carry_code_and_japanese_message() -> None:
    assert issubclass(ResidentNotFound, JukiError) and issubclass(InvalidQuery, JukiError)
    error = ResidentNotFound()
    assert error.code == "resident_not_found" and "住民" in error.message and str(error) == error.message
    assert InvalidQuery("生年月日が正しくありません。").message == "生年月日が正しくありません。"


def test_require_resident() -> None:
    known = _resident()
    client = SimpleNamespace(get_resident=lambda resident_id: known if resident_id == known.resident_id else None)
    assert juki.require_resident(client, "10000000017") is known
    with pytest.raises(ResidentNotFound) as raised:
        juki.require_resident(client, "10000000025")
    assert raised.value.code == "resident_not_found"


def test_simulator_is_a_juki_client(register: SimulatedRegister) -> None:
    assert isinstance(register, JukiClient)


@pytest.mark.parametrize(
    ("typed", "key"),
    [("やまだ　たろう", "ヤマダタロウ"), ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ"), ("ゔぁ", "ヴァ"), ("ヤマダ　タロウ", "ヤマダタロウ")],
)
def test_kana_key(typed: str, key: str) -> None:
    assert kana_key(typed) == key


def test_name_and_address_keys() -> None:
    assert name_key("山田　太郎") == "山田太郎"
    assert name_key("Wang Xiaoming") == "WANGXIAOMING"
    assert address_key("見本市中央一丁目２番３号　見本ハイツ１０１") == "見本市中央一丁目2番3号見本ハイツ101"
