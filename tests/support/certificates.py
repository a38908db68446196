"""6.1 set-up for tests: the office seal certificates need (handlers.casework writes it, as for bpmn_tests cases)."""

from __future__ import annotations

from handlers import casework


def ensure_office_seal(product) -> None:
    """Certificates refuse to print without the office seal image in the municipality settings."""
    with product.session_factory.begin() as session:
        casework.ensure_office_seal(session, product.services)
