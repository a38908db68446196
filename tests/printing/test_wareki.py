from datetime import date

import pytest

from printing import PrintingError, era_year, to_wareki


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 11, 22), "令和7年11月22日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2020, 1, 1), "令和2年1月1日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1926, 12, 24), "大正15年12月24日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1912, 7, 29), "明治45年7月29日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1868, 1, 25), "明治元年1月25日"),
        (date(1872, 12, 31), "明治5年12月31日"),
        (date(1873, 1, 1), "明治6年1月1日"),
    ],
)
def test_to_wareki_crosses_every_era_boundary(day: date, expected: str) -> None:
    assert to_wareki(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 11, 22), "令和7年（2025年）11月22日"),
        (date(2019, 5, 1), "令和元年（2019年）5月1日"),
        (date(1989, 1, 7), "昭和64年（1989年）1月7日"),
    ],
)
def test_to_wareki_with_western_year(day: date, expected: str) -> None:
    assert to_wareki(day, with_western=True) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 11, 22), ("令和", 7)),
        (date(2019, 5, 1), ("令和", 1)),
        (date(1989, 1, 8), ("平成", 1)),
        (date(1988, 12, 31), ("昭和", 63)),
        (date(1900, 1, 1), ("明治", 33)),
    ],
)
def test_era_year(day: date, expected: tuple[str, int]) -> None:
    assert era_year(day) == expected


def test_dates_before_meiji_are_refused() -> None:
    with pytest.raises(PrintingError) as caught:
        to_wareki(date(1868, 1, 24))
    assert caught.value.code == "date_out_of_range"
    assert "1868-01-24" in caught.value.message
