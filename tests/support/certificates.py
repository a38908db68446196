"""6.1 / 6.2 set-ups for tests and bpmn_tests: the office seal certificates need, a suspended registration."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import printing
from registry.blobs.store import put_blob
from registry.seals import records, suspension
from registry.settings.store import save_municipality


def ensure_office_seal(product) -> None:
    """Certificates refuse to print without the office seal image in the municipality settings."""
    with product.session_factory.begin() as session:
        office = product.services.office(session)
        if not office.office_seal_blob:
            seal = put_blob(session, printing.demo_office_seal_png(), "image/png", filename="office_seal.png")
            save_municipality(session, replace(office, office_seal_blob=seal), changed_by="test")


def suspend_directly(product, resident_id: str, *, days_ago: int = 1) -> None:
    """A 6.2.1 suspension written straight into the registry (a test's given state, not the flow under test)."""
    today = product.services.today()
    with product.session_factory.begin() as session:
        record = records.active_registration_of(session, resident_id)
        suspension.suspend(session, record, start=today - timedelta(days=days_ago), until=None, today=today,
                           operator="test", instance_id=None, details={"suspension_reason": "テスト"})


def registration_number_of(product, resident_id: str) -> str:
    with product.session_factory() as session:
        return records.active_registration_of(session, resident_id).registration_number


SETUPS = {
    "office_seal": lambda product, context: ensure_office_seal(product),
    "suspended": lambda product, context: suspend_directly(product, context["applicant"]),
}
