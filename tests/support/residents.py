"""Residents that tests may change in the simulated register without disturbing the fixed demo residents."""

from __future__ import annotations

from juki import DEMO_RESIDENTS


def fresh_non_demo(driver) -> str:
    """A fresh adult living alone (RegistrationDriver.fresh_resident) who is not one of the demo residents."""
    while True:
        resident_id = driver.fresh_resident()
        if resident_id not in DEMO_RESIDENTS.values():
            return resident_id
