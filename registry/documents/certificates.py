"""6.1 certificates in the registry: when one is refused, the gapless serial per year, and the issued rows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.documents.models import IssuedCertificate
from registry.seals.models import RecordStatus, Registration
from registry.seals.numbering import next_in_sequence

__all__ = ["certificate_by_serial", "certificate_refusal", "certificates_of", "next_certificate_serial"]

REFUSALS = {
    "registration_closed": "この印鑑登録は廃止または抹消されているため、印鑑登録証明書を交付できません",
    "issuance_suspended": "この印鑑登録は証明書の交付が一時停止されています（6.2.1）",
}


def certificate_refusal(record: Registration, today: date) -> str | None:
    """The refusal code for issuing a certificate of ``record`` today (see REFUSALS), or None."""
    if record.status != RecordStatus.REGISTERED:
        return "registration_closed"
    if record.suspended_from and record.suspended_from <= today and (
            record.suspended_until is None or today <= record.suspended_until):
        return "issuance_suspended"
    return None


def next_certificate_serial(session: Session, year: int) -> tuple[int, str]:
    """Take the year's next certificate number inside the caller's transaction: (sequence, 「2026-000001」).

    The counter row stays locked until commit, so numbers are unique and a rolled-back issue gives its number back.
    """
    sequence = next_in_sequence(session, f"certificate:{year}")
    return sequence, f"{year}-{sequence:06d}"


def certificate_by_serial(session: Session, serial: str) -> IssuedCertificate | None:
    return session.scalars(select(IssuedCertificate).where(IssuedCertificate.serial == serial)).first()


def certificates_of(session: Session, registration_id: int) -> list[IssuedCertificate]:
    return list(session.scalars(select(IssuedCertificate).where(IssuedCertificate.registration_id == registration_id)
                                .order_by(IssuedCertificate.id.desc())))
