"""業務の開始 without accidents: what may be started for a person (or why not), and a confirmation before a start.

A start form (the start page's row, a 2.1.3 result row, the 2.2.1 page) posts to ``/start/<process_id>``; without
``confirmed`` the start data is checked (an unknown person or a person who cannot use the flow: 422 with the
reason) and the clerk is sent to the confirmation page, so Enter in the 住民ID box never starts a case.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.library.catalog import active_definition
from engine.models import ProcessDefinition
from handlers.operators.residents import lookup_resident
from handlers.services.start_data import check_start_data
from handlers.services.start_offers import StartOffer, check_start_allowed, offer_for_resident
from juki.errors import JukiUnavailable
from registry.seals import records
from webui.wiring import product

__all__ = ["StartRequest", "checked_start", "offers_for", "resident_offers"]


@dataclass(frozen=True)
class StartRequest:
    definition: ProcessDefinition
    data: dict
    resident: object | None  # juki.Resident when a known person was given (None when the register is down)


def checked_start(session: Session, process_id: str, resident_id: str) -> StartRequest:
    """The flow and start data, checked: DefinitionNotFound (404), StartDataInvalid / StartNotAllowed (422)."""
    prod = product()
    definition = active_definition(session, process_id)
    juki = prod.juki(session)
    data = check_start_data(session, juki, {"resident_id": resident_id})
    check_start_allowed(session, juki, process_id, data.get("resident_id"), prod.services.today(),
                        prod.services.settings.min_age)
    resident = None
    if data.get("resident_id"):
        try:
            resident = lookup_resident(juki, data["resident_id"])
        except JukiUnavailable:
            resident = None
    return StartRequest(definition, data, resident)


def offers_for(session: Session, resident, process_ids: list[str]) -> dict[str, StartOffer]:
    """Per flow: may it be started for this resident (juki.Resident), or why not."""
    registered = records.active_registration_of(session, resident.resident_id) is not None
    return {pid: _offer(pid, resident, registered) for pid in process_ids}


def resident_offers(residents: list, registered: dict[str, object], process_id: str) -> dict[str, StartOffer]:
    """For a 2.1.3 result list: may `process_id` be started for each row (registered: resident_id → number)."""
    return {r.resident_id: _offer(process_id, r, bool(registered.get(r.resident_id))) for r in residents}


def _offer(process_id: str, resident, registered: bool) -> StartOffer:
    services = product().services
    return offer_for_resident(process_id, resident, registered, services.today(), services.settings.min_age)
