"""A registered person in milliseconds, for cases and tests whose subject is not 4.1.2 itself.

The 原票 is written through the registry functions the 4.1.2 handlers use — the impression (4.1.5.2), the record
with its 1.3.2 number and 「登録」 history entry, the 5.2 印鑑登録証 — as a data migration would write it: without a
process instance, and with an audit event saying so.
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from handlers.casework.scans import measured_seal
from handlers.environment import HandlerServices, Operator
from handlers.operators.registration import CARD_KINDS, person_snapshot
from handlers.operators.residents import eligibility_of, lookup_resident
from registry.blobs.store import put_blob
from registry.errors import NotEligible
from registry.seals import records
from registry.seals.models import Impression, Registration

__all__ = ["FACTORY", "SEEDED_KIND", "register_directly"]

FACTORY = Operator("casework")  # who writes the records a case or test is given
SEEDED_KIND = "registration_seeded"  # the audit event of a record written without 4.1.2


def register_directly(session: Session, services: HandlerServices, resident_id: str, *, seal_text: str = "登録",
                      size_mm: float = 15.0, shape: str = "round", seed: int = 0,
                      operator: Operator = FACTORY) -> Registration:
    """Register the resident with a generated seal and a 印鑑登録証 numbered like the record; raise NotEligible
    (the 4.1.2 eligibility reasons) or CaseError for a seal the 8–25 mm rule refuses."""
    resident = lookup_resident(services.juki_factory(session), resident_id)
    eligibility = eligibility_of(session, resident, services.today(), services.settings.min_age)
    if not eligibility.eligible:
        raise NotEligible(f"{resident_id}: {eligibility.message}", eligibility.reason)
    assert resident is not None  # an unknown resident is not eligible
    impression = _store_impression(session, services, resident.resident_id, operator,
                                   seal_text=seal_text, size_mm=size_mm, shape=shape, seed=seed)
    today = services.today()
    record = records.register(session, person_snapshot(resident), impression, identity_path="photo_id", today=today,
                              operator=operator.username, instance_id=None,
                              number_format=services.settings.number_format)
    records.set_card(session, record, card_kind=CARD_KINDS["registration_card"], card_number=record.registration_number,
                     cert_serial=None, today=today, operator=operator.username, instance_id=None)
    services.record_audit(session, operator, SEEDED_KIND, title="印鑑登録（4.1.2 を経ない直接登録）",
                          summary={"resident_id": record.resident_id, "registration_number": record.registration_number,
                                   "registration_id": record.id, "seal_text": seal_text})
    return record


def _store_impression(session: Session, services: HandlerServices, resident_id: str, operator: Operator, *,
                      seal_text: str, size_mm: float, shape: str, seed: int) -> Impression:
    settings = services.settings
    seal = measured_seal(seal_text, size_mm, shape, seed, min_mm=settings.seal_min_mm, max_mm=settings.seal_max_mm,
                         default_dpi=settings.default_dpi)
    measurement = seal.measurement
    row = Impression(resident_id=resident_id, scan_blob=put_blob(session, seal.scan_png, "image/png",
                                                                 filename="scan.png", created_by=operator.username),
                     image_blob=put_blob(session, seal.impression_png, "image/png", filename="impression.png",
                                         created_by=operator.username),
                     dpi=seal.dpi, mm_per_px=seal.mm_per_px, width_mm=measurement["width_mm"],
                     height_mm=measurement["height_mm"], square_mm=measurement["square_mm"],
                     shape=measurement["shape"], warnings_json=json.dumps(measurement["warnings"], ensure_ascii=False),
                     stored_by=operator.username, instance_id=None)
    session.add(row)
    session.flush()
    return row
