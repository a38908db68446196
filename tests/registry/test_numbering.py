"""1.3.2 印鑑登録番号付番: format, check digit, and gapless unique numbers under concurrent processes."""

from __future__ import annotations

import multiprocessing

import pytest

from engine.database import connect
from registry.errors import NumberingError
from registry.seals.numbering import (
    NumberFormat,
    assign_number,
    check_digit,
    format_number,
    is_valid_number,
    last_serial,
)

PROCESSES = 4
NUMBERS_PER_PROCESS = 15


def test_mod11_weights_two_to_seven():
    # 0000001: 1×2 = 2 → 11 − 2 = 9 ; 1234567: 7·2+6·3+5·4+4·5+3·6+2·7+1·2 = 106 → 106 mod 11 = 7 → 4
    assert check_digit("0000001", "mod11") == "9"
    assert check_digit("1234567", "mod11") == "4"
    assert check_digit("0000000", "mod11") == "0"  # remainder 0 → 0


def test_luhn():
    assert check_digit("7992739871", "luhn") == "3"


def test_default_format_is_eight_digits_with_check_digit():
    fmt = NumberFormat()
    assert format_number(1, fmt) == "00000019"
    assert is_valid_number("00000019", fmt)
    assert not is_valid_number("00000018", fmt)
    assert not is_valid_number("0000019", fmt)
    assert format_number(42, NumberFormat(6, "none")) == "000042"


def test_unknown_check_digit_method_is_refused():
    with pytest.raises(NumberingError):
        check_digit("123", "crc32")


def test_exhausted_range_is_refused_and_nothing_is_used_up(database_url):
    sessions = connect(database_url)
    tiny = NumberFormat(digits=2, check_digit="mod11")  # one serial digit: 1..9
    session = sessions()
    with session.begin():
        before = last_serial(session)
    with pytest.raises(NumberingError, match="上限"), session.begin():
        for _ in range(10):
            assign_number(session, tiny)
    with session.begin():
        assert last_serial(session) == before
    session.close()


def take_numbers(database_url: str, worker: int, queue) -> None:
    """Run in another process: take numbers one transaction at a time; every third transaction rolls back."""
    sessions = connect(database_url)
    kept = []
    attempt = 0
    while len(kept) < NUMBERS_PER_PROCESS:
        attempt += 1
        session = sessions()
        try:
            with session.begin():
                number = assign_number(session, NumberFormat())
                if attempt % 3 == 0:
                    raise RuntimeError("rolled back on purpose")
            kept.append(number)
        except RuntimeError:
            pass
        finally:
            session.close()
    queue.put(kept)


def test_concurrent_processes_get_unique_gapless_numbers(database_url):
    with connect(database_url).begin() as session:
        start = last_serial(session)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=take_numbers, args=(database_url, i, queue)) for i in range(PROCESSES)]
    for process in workers:
        process.start()
    numbers = [n for _ in workers for n in queue.get(timeout=120)]
    for process in workers:
        process.join(timeout=60)
        assert process.exitcode == 0
    total = PROCESSES * NUMBERS_PER_PROCESS
    assert len(set(numbers)) == total
    assert all(is_valid_number(n, NumberFormat()) for n in numbers)
    serials = sorted(int(n[:7]) for n in numbers)
    assert serials == list(range(start + 1, start + total + 1))  # no gap although a third rolled back
