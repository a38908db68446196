"""コンビニ交付 test helpers shared by the konbini and J-LIS-outage tests: the shared key, an always-open service,
the office seal the certificates need, a registration with a My Number card, and the API call."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

import printing
from handlers.environment import Operator
from handlers.services.settings import seed_settings
from registry.konbini.models import KonbiniRequest
from registry.seals.models import Registration
from tests.support.certificates import ensure_office_seal
from tests.support.flow import BACK, COUNTER

KEY = "konbini-shared-key-0123456789"
ALWAYS_OPEN = {"KONBINI_HOURS": "00:00-24:00", "KONBINI_CLOSED_DAYS": "", "KONBINI_KEY": KEY}


@pytest.fixture
def open_all_day(app, monkeypatch):
    for name, value in ALWAYS_OPEN.items():
        monkeypatch.setitem(app.config, name, value)


@pytest.fixture(scope="module")
def office_seal(product):
    """Certificates need the office seal image in the municipality settings."""
    with product.session_factory.begin() as session:
        seed_settings(session, product.services, seal_png=printing.demo_office_seal_png(), actor=Operator("test"))
    ensure_office_seal(product)


def new_serial() -> str:
    return secrets.token_hex(8).upper()  # the card form takes 8–40 upper-case hex digits


def register_with_card(driver, serial: str) -> Registration:
    """4.1.2 through the engine with the My Number card as the registration card (5.4)."""
    resident_id = driver.fresh_resident()
    outcome = driver.to_scan(resident_id)
    outcome = driver.step(outcome, BACK, {"scan_blob_id": driver.scan("交付")})
    outcome = driver.step(outcome, BACK, {"impression_decision": "accept", "impression_name": "full_name"})
    outcome = driver.step(outcome, BACK, {"card_kind": "mynumber_card", "mynumber_cert_serial": serial})
    outcome = driver.step(outcome, COUNTER, {"handed_over": True})
    assert outcome.status == "completed", outcome
    with driver.product.session_factory() as session:
        return session.scalars(select(Registration).where(Registration.resident_id == resident_id,
                                                          Registration.status == "registered")).one()


def ask(client, serial: str, kind: str = "inkan_certificate", key: str = KEY):
    return client.post("/api/v1/konbini/certificates", json={"cert_serial": serial, "kind": kind,
                                                             "terminal": "store-0001"},
                       headers={"Authorization": f"Bearer {key}"})


def logged(product, request_id: str) -> KonbiniRequest:
    with product.session_factory() as session:
        return session.scalars(select(KonbiniRequest).where(KonbiniRequest.request_id == request_id)).one()
