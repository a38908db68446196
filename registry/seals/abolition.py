"""4.4.1.1 廃止の申請 / 4.4.1.2 亡失: the resident ends the registration; the record becomes a 除票 (status 廃止).

The 除票 keeps its card number, so a lost 印鑑登録証 that turns up later is recognised as belonging to a closed
record. Whether the card was collected at the counter is written into the 「廃止（…）」 history entry.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from registry.seals.models import HistoryEntry, RecordStatus, Registration
from registry.seals.records import close_record

__all__ = ["ABOLITION_PREFIX", "abolish_record"]

ABOLITION_PREFIX = "廃止"  # history reasons read 「廃止（廃止の申請）」, 「廃止（亡失: 印鑑登録証）」 …


def abolish_record(session: Session, record: Registration, *, reason: str, effective: date, operator: str,
                   instance_id: int | None, card_collected: bool, extra_after: dict[str, Any] | None = None
                   ) -> HistoryEntry:
    """廃止: the active record becomes a 除票 closed today with the reason (「廃止の申請」, 「亡失: 印鑑」 …).

    Raise NotEligible('not_active') when the record is no longer active (closed meanwhile by another flow).
    """
    after = {"card_collected": card_collected} | (extra_after or {})
    return close_record(session, record, status=RecordStatus.ABOLISHED, reason=reason,
                        entry_reason=f"{ABOLITION_PREFIX}（{reason}）", effective=effective, operator=operator,
                        instance_id=instance_id, after=after)
