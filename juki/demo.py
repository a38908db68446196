"""Fixed demo residents, always the first records of the synthetic population.

Demos and tests rely on them; ``DEMO_RESIDENTS`` maps a role to the resident id. Ages are given on ``today``
(default 2026-04-01); dates marked "today −" move with it.

======================  ===========  ==============================================================
role                    resident_id  who
======================  ===========  ==============================================================
eligible                10000000017  山田　太郎 (ヤマダ　タロウ) 男 1980-05-12, 世帯主 of H0000001,
                                     見本市中央一丁目2番3号 見本ハイツ101
moved_out               10000000025  高橋　健一 男 1975-11-03, lived alone (H0000002), 転出 today − 30 days
deceased                10000000033  田中　正男 男 1938-02-11, 夫 in H0000003 (head 田中　和子
                                     10000000108), died today − 90 days
child_under_15          10000000041  伊藤　さくら 女, 14 years old (born today − 14 years − 30 days), 子 in
                                     H0000004 with 伊藤　健太 10000000116 (世帯主) and 伊藤　美穂 10000000124 (妻)
lacks_capacity          10000000058  佐藤　節子 女 1940-12-05, lives alone (H0000005), 成年被後見
foreign                 10000000066  WANG XIAOMING, 通称 王　小明, カタカナ表記 ワン　シャオミン, CN, 男
                                     1991-07-07, lives alone (H0000006)
single                  10000000074  鈴木　一郎 (スズキ　イチロウ) 男 1972-10-20, lives alone (H0000007)
spouse                  10000000082  山田　花子 女 1982-09-30, 妻 in H0000001, 旧氏 佐藤
child                   10000000090  山田　一郎 男, 10 years old (born today − 10 years − 45 days), 子 in
                                     H0000001
======================  ===========  ==============================================================
"""

from dataclasses import replace
from datetime import date, timedelta

from juki.client import STATUS_DECEASED, STATUS_MOVED_OUT, STATUS_RESIDENT, Resident
from juki.dates import years_before
from juki.ids import household_id, resident_id

DEMO_RESIDENTS: dict[str, str] = {
    "eligible": resident_id(1_000_000_001),
    "moved_out": resident_id(1_000_000_002),
    "deceased": resident_id(1_000_000_003),
    "child_under_15": resident_id(1_000_000_004),
    "lacks_capacity": resident_id(1_000_000_005),
    "foreign": resident_id(1_000_000_006),
    "single": resident_id(1_000_000_007),
    "spouse": resident_id(1_000_000_008),
    "child": resident_id(1_000_000_009),
}
DEMO_HOUSEHOLD_COUNT = 7
_YAMADA_ADDRESS = "見本市中央一丁目2番3号 見本ハイツ101"


def demo_residents(today: date) -> list[Resident]:
    """Return the fixed demo residents in household order (H0000001…H0000007), each head first."""
    residents = [*_yamada(today), *_singles(today), *_tanaka(today), *_ito(today)]
    return sorted(residents, key=lambda resident: resident.household_id)


def demo_addresses() -> tuple[str, ...]:
    """Return the addresses the demo households occupy (the generator must not hand them out)."""
    return tuple(sorted({resident.address for resident in demo_residents(date(2026, 4, 1))}))


def _person(serial: int, household: int, name: str, kana: str, born: date, sex: str, address: str,
            relationship: str = "世帯主") -> Resident:
    return Resident(
        resident_id=resident_id(1_000_000_000 + serial), household_id=household_id(household), name=name,
        kana=kana, birth_date=born, sex=sex, address=address, status=STATUS_RESIDENT, status_date=None,
        relationship=relationship, nationality="JP", common_name=None, katakana_name=None, old_surname=None,
        lacks_capacity=False,
    )


def _yamada(today: date) -> list[Resident]:
    ichiro_born = years_before(today, 10) - timedelta(days=45)
    return [
        _person(1, 1, "山田　太郎", "ヤマダ　タロウ", date(1980, 5, 12), "男", _YAMADA_ADDRESS),
        replace(_person(8, 1, "山田　花子", "ヤマダ　ハナコ", date(1982, 9, 30), "女", _YAMADA_ADDRESS, "妻"),
                old_surname="佐藤"),
        _person(9, 1, "山田　一郎", "ヤマダ　イチロウ", ichiro_born, "男", _YAMADA_ADDRESS, "子"),
    ]


def _singles(today: date) -> list[Resident]:
    moved_out = _person(2, 2, "高橋　健一", "タカハシ　ケンイチ", date(1975, 11, 3), "男",
                        "見本市栄町二丁目5番8号 コーポ栄203")
    wang = _person(6, 6, "WANG XIAOMING", "ワン　シャオミン", date(1991, 7, 7), "男",
                   "見本市東町二丁目11番4号 グリーンコート東202")
    return [
        replace(moved_out, status=STATUS_MOVED_OUT, status_date=today - timedelta(days=30)),
        replace(_person(5, 5, "佐藤　節子", "サトウ　セツコ", date(1940, 12, 5), "女", "見本市本町一丁目3番10号"),
                lacks_capacity=True),
        replace(wang, nationality="CN", common_name="王　小明", katakana_name="ワン　シャオミン"),
        _person(7, 7, "鈴木　一郎", "スズキ　イチロウ", date(1972, 10, 20), "男", "見本市青葉台四丁目6番1号"),
    ]


def _tanaka(today: date) -> list[Resident]:
    address = "見本市緑町一丁目14番6号"
    husband = _person(3, 3, "田中　正男", "タナカ　マサオ", date(1938, 2, 11), "男", address, "夫")
    return [
        _person(10, 3, "田中　和子", "タナカ　カズコ", date(1941, 6, 3), "女", address),
        replace(husband, status=STATUS_DECEASED, status_date=today - timedelta(days=90)),
    ]


def _ito(today: date) -> list[Resident]:
    address = "見本市若葉台三丁目8番15号"
    sakura_born = years_before(today, 14) - timedelta(days=30)
    return [
        _person(11, 4, "伊藤　健太", "イトウ　ケンタ", date(1983, 7, 21), "男", address),
        _person(12, 4, "伊藤　美穂", "イトウ　ミホ", date(1985, 1, 15), "女", address, "妻"),
        _person(4, 4, "伊藤　さくら", "イトウ　サクラ", sakura_born, "女", address, "子"),
    ]
