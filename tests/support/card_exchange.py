"""5.3 引換交付 / 5.2.4 暗証番号 set-up for tests: a PIN already set on the applicant's registration."""

from __future__ import annotations

from handlers import casework


def set_pin_directly(product, resident_id: str, pin: str = casework.CASE_PIN) -> None:
    """5.2.4 as if set at an earlier visit, so a test can enter a wrong old PIN."""
    with product.session_factory.begin() as session:
        casework.set_pin_directly(session, product.services, resident_id, pin)
