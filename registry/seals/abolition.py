"""4.4.1.1 廃止の申請 / 4.4.1.2 亡失: the resident ends the registration; the record becomes a 除票 (status 廃止).

The 除票 keeps its card number, so a lost 印鑑登録証 that turns up later is recognised as belonging to a closed
record. Whether the card was collected at the counter is written into the 「廃止（…）」 history entry.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from registry.errors import NotEligible
from registry.seals.models import HistoryEntry, RecordStatus, Registration
from registry.seals.records import add_history, snapshot

__all__ = ["ABOLITION_PREFIX", "abolish_record", "normalize_card_number", "registration_by_card"]

ABOLITION_PREFIX = "廃止"  # history reasons read 「廃止（廃止の申請）」, 「廃止（亡失: 印鑑登録証）」 …


def normalize_card_number(text: str | None) -> str:
    """A typed or scanned card number: full-width digits, spaces and dashes accepted."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "") if ch.isascii() and ch.isalnum())


def registration_by_card(session: Session, card_number: str) -> Registration | None:
    """The record a 印鑑登録証 number names (its card number or, for cards without one, its 登録番号).

    An active record wins over 除票 that carried the same number earlier.
    """
    number = normalize_card_number(card_number)
    if not number:
        return None
    query = (select(Registration)
             .where(or_(Registration.card_number == number, Registration.registration_number == number))
             .order_by((Registration.status == RecordStatus.REGISTERED).desc(), Registration.id.desc()))
    return session.scalars(query).first()


def abolish_record(session: Session, record: Registration, *, reason: str, effective: date, operator: str,
                   instance_id: int | None, card_collected: bool, extra_after: dict[str, Any] | None = None
                   ) -> HistoryEntry:
    """廃止: the active record becomes a 除票 closed today with the reason (「廃止の申請」, 「亡失: 印鑑」 …).

    Raise NotEligible('not_active') when the record is no longer active (closed meanwhile by another flow).
    """
    if record.status != RecordStatus.REGISTERED:
        label = RecordStatus.LABELS.get(record.status, record.status)
        raise NotEligible(f"登録番号 {record.registration_number} は既に{label}されています", "not_active")
    before = snapshot(record) | {"close_reason": None}
    record.status, record.closed_on, record.close_reason = RecordStatus.ABOLISHED, effective, reason
    session.flush()
    after = snapshot(record) | {"close_reason": reason, "card_collected": card_collected} | (extra_after or {})
    return add_history(session, record, f"{ABOLITION_PREFIX}（{reason}）", effective, operator, instance_id,
                       before=before, after=after)
