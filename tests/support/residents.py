"""Residents of particular kinds for tests, fresh (unregistered, unused) on the test's database."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from juki import DEMO_RESIDENTS
from juki.models import SimResident
from registry.seals.models import Registration
from tests.support.flow import used_residents


def fresh_foreign_resident(product) -> str:
    """An adult foreign resident with a カタカナ表記, unregistered and unused by other tests on this database."""
    used = used_residents(product)
    cutoff = date(product.services.today().year - 20, 1, 1)
    with product.session_factory() as session:
        registered = set(session.scalars(select(Registration.resident_id)))
        query = (select(SimResident.resident_id)
                 .where(SimResident.status == "resident", SimResident.nationality != "JP",
                        SimResident.katakana_name.is_not(None), SimResident.lacks_capacity.is_(False),
                        SimResident.birth_date < cutoff, SimResident.resident_id.not_in(DEMO_RESIDENTS.values()))
                 .order_by(SimResident.resident_id))
        for resident_id in session.scalars(query):
            if resident_id not in used and resident_id not in registered:
                used.add(resident_id)
                return resident_id
    raise AssertionError("no fresh foreign resident left")


def fresh_japanese_resident(product, driver) -> str:
    """A fresh adult living alone (not a demo resident) of Japanese nationality: no 通称 or カタカナ表記."""
    while True:
        resident_id = driver.fresh_resident()
        with product.session_factory() as session:
            if session.get(SimResident, resident_id).nationality == "JP":
                return resident_id
