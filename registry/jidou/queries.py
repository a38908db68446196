"""Queries of the 自動交付機: the request log and the cards whose PIN is locked."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.jidou.models import JidouRequest
from registry.seals.models import RecordStatus, Registration
from registry.seals.pin import RegistrationPin

__all__ = ["locked_cards", "recent_requests", "request_by_id"]


def recent_requests(session: Session, limit: int = 50) -> list[JidouRequest]:
    return list(session.scalars(select(JidouRequest).order_by(JidouRequest.id.desc()).limit(limit)))


def request_by_id(session: Session, request_id: str) -> JidouRequest | None:
    return session.scalars(select(JidouRequest).where(JidouRequest.request_id == request_id)).first()


def locked_cards(session: Session, limit: int = 100) -> list[tuple[Registration, RegistrationPin]]:
    """Active registrations whose PIN is locked (three wrong entries), the longest locked first."""
    statement = (select(Registration, RegistrationPin)
                 .join(RegistrationPin, RegistrationPin.registration_id == Registration.id)
                 .where(RegistrationPin.locked_at.is_not(None), Registration.status == RecordStatus.REGISTERED)
                 .order_by(RegistrationPin.locked_at).limit(limit))
    return [(record, row) for record, row in session.execute(statement)]
