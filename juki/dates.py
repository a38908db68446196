"""Date arithmetic for the synthetic population (ages counted the usual way, birthday to birthday)."""

import random
from datetime import date, timedelta


def years_before(day: date, years: int) -> date:
    """Return the same calendar day ``years`` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def birth_date_for_age(rng: random.Random, age: int, today: date) -> date:
    """Return a random birth date of someone who is exactly ``age`` on ``today``."""
    latest = years_before(today, age)
    return latest - timedelta(days=rng.randrange(365))


def date_within(rng: random.Random, today: date, days: int, not_before: date) -> date:
    """Return a random day in the ``days`` days before ``today``, never before ``not_before``."""
    earliest = max(not_before, today - timedelta(days=days))
    return earliest + timedelta(days=rng.randint(0, (today - earliest).days))
