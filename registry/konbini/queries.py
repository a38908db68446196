"""Queries of コンビニ交付: the registration a My Number card is linked to, and the request log."""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from registry.konbini.models import KonbiniRequest
from registry.seals.models import RecordStatus, Registration

__all__ = ["recent_requests", "registration_for_card", "request_by_id"]


def registration_for_card(session: Session, cert_serial: str) -> Registration | None:
    """The registration whose card is the My Number card with this certificate serial: the active one if any,
    else the newest closed one (so the refusal can say the registration was closed)."""
    active_first = case((Registration.status == RecordStatus.REGISTERED, 0), else_=1)
    statement = (select(Registration).where(Registration.mynumber_cert_serial == cert_serial)
                 .order_by(active_first, Registration.id.desc()).limit(1))
    return session.scalars(statement).first()


def recent_requests(session: Session, limit: int = 50) -> list[KonbiniRequest]:
    return list(session.scalars(select(KonbiniRequest).order_by(KonbiniRequest.id.desc()).limit(limit)))


def request_by_id(session: Session, request_id: str) -> KonbiniRequest | None:
    return session.scalars(select(KonbiniRequest).where(KonbiniRequest.request_id == request_id)).first()
