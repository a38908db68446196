"""Identifiers of the simulated register: 11-digit resident ids (10 digits + Luhn check digit) and 世帯番号."""

FIRST_RANDOM_PAYLOAD = 2_000_000_000
LAST_PAYLOAD = 9_999_999_999


def luhn_check_digit(payload: str) -> int:
    """Return the Luhn check digit of a string of digits; raises ValueError if it holds anything else."""
    if not payload.isdigit():
        raise ValueError("数字以外の文字が含まれています。")
    total = 0
    for position, char in enumerate(reversed(payload)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return (10 - total % 10) % 10


def resident_id(payload: int) -> str:
    """Return the 11-digit resident id of a 10-digit payload; raises ValueError if out of range."""
    if not 1_000_000_000 <= payload <= LAST_PAYLOAD:
        raise ValueError("住民IDの本体は10桁で指定してください。")
    text = str(payload)
    return f"{text}{luhn_check_digit(text)}"


def is_valid_resident_id(value: str) -> bool:
    """True when ``value`` is 11 ASCII digits whose last one is the Luhn check digit of the first ten."""
    return len(value) == 11 and value.isascii() and value.isdigit() and luhn_check_digit(value[:10]) == int(value[10])


def household_id(number: int) -> str:
    """Return the 世帯番号 of a household number: 'H' and 7 digits."""
    return f"H{number:07d}"
