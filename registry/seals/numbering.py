"""1.3.2 印鑑登録番号付番: unique, gapless, in order, never reused; format configurable."""

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.errors import NumberingError
from registry.seals.models import NumberSequence

SEQUENCE = "registration"


@dataclass(frozen=True)
class NumberFormat:
    """digits counts the check digit when there is one; check_digit is 'mod11' (weights 2–7), 'luhn' or 'none'."""

    digits: int = 8
    check_digit: str = "mod11"

    @property
    def serial_digits(self) -> int:
        return self.digits - (0 if self.check_digit == "none" else 1)


def check_digit(serial: str, method: str) -> str:
    """The check digit of a serial: モジュラス11 ウェイト2〜7 (remainder 0/1 → 0) or Luhn."""
    if method == "mod11":
        weights = [2 + i % 6 for i in range(len(serial))]
        total = sum(int(d) * w for d, w in zip(reversed(serial), weights, strict=True))
        remainder = total % 11
        return "0" if remainder <= 1 else str(11 - remainder)
    if method == "luhn":
        total = 0
        for i, d in enumerate(reversed(serial)):
            n = int(d) * (2 if i % 2 == 0 else 1)
            total += n - 9 if n > 9 else n
        return str((10 - total % 10) % 10)
    if method == "none":
        return ""
    raise NumberingError(f"検査数字の方式 {method} は使えません")


def format_number(serial: int, fmt: NumberFormat) -> str:
    text = str(serial).zfill(fmt.serial_digits)
    return text + check_digit(text, fmt.check_digit)


def is_valid_number(number: str, fmt: NumberFormat) -> bool:
    """Tell whether `number` has the configured length and a correct check digit."""
    if len(number) != fmt.digits or not number.isdigit():
        return False
    serial = number[: fmt.serial_digits]
    return number == serial + check_digit(serial, fmt.check_digit)


def assign_number(session: Session, fmt: NumberFormat) -> str:
    """Take the next number inside the caller's transaction; raise NumberingError when the range is used up.

    The counter row stays locked until the caller commits, so concurrent registrations queue and a rolled-back
    registration gives its number back: numbers stay gapless.
    """
    serial = next_in_sequence(session, SEQUENCE)
    if serial >= 10 ** fmt.serial_digits:
        raise NumberingError("印鑑登録番号の桁数の上限に達しました。設定を見直してください")
    return format_number(serial, fmt)


def next_in_sequence(session: Session, name: str) -> int:
    """The next value of the named gapless counter (1, 2, …), taken inside the caller's transaction.

    The counter row stays locked until the caller commits, so concurrent takers queue and a rolled-back
    transaction gives its value back: 1.3.2 registration numbers and the 6.1 certificate serials of each year.
    """
    value = _increment(session, name)
    if value is None:
        try:
            with session.begin_nested():
                session.add(NumberSequence(name=name, last_value=0))
        except IntegrityError:
            pass  # another transaction created it first; the increment below waits on its row lock
        value = _increment(session, name)
    assert value is not None  # the counter row exists now
    return value


def _increment(session: Session, name: str) -> int | None:
    statement = (update(NumberSequence).where(NumberSequence.name == name)
                 .values(last_value=NumberSequence.last_value + 1).returning(NumberSequence.last_value))
    return session.execute(statement).scalar_one_or_none()


def last_serial(session: Session) -> int:
    value = session.scalars(select(NumberSequence.last_value).where(NumberSequence.name == SEQUENCE)).first()
    return value or 0
