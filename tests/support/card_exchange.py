"""Set-ups for 5.3 引換交付 / 5.2.4 暗証番号 cases: a PIN already set on the applicant's registration."""

from __future__ import annotations

from registry.seals import records
from registry.seals.pin import set_pin

CASE_PIN = "1234"


def set_pin_directly(product, resident_id: str, pin: str = CASE_PIN) -> None:
    """5.2.4 as if set at an earlier visit, so a case can enter a wrong old PIN."""
    with product.session_factory.begin() as session:
        record = records.active_registration_of(session, resident_id)
        set_pin(session, record, pin, product.services.settings.pin_pepper, today=product.services.today(),
                operator="test", instance_id=None)


CARD_SETUPS = {"pin_set": lambda product, context: set_pin_directly(product, context["applicant"])}
