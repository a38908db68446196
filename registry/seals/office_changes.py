"""4.2.1 職権抹消: the office closes a record on its own finding (後見開始, 誤登録, 印影が使用できない …).

Unlike 4.2.2 there is no register event: the reason is the office's, chosen from a fixed list (その他 with a
text), and the 抹消 only happens after a second clerk approved it (the flow's four-eyes step).
"""

from __future__ import annotations

import unicodedata
from datetime import date

from sqlalchemy.orm import Session

from registry.errors import NotEligible
from registry.seals.models import HistoryEntry, RecordStatus, Registration
from registry.seals.records import close_record, registration_by_number

__all__ = ["OFFICE_CLOSE_REASONS", "close_by_office", "find_by_number", "office_close_reason"]

# reason code → label on the 除票 and the 抹消通知書
OFFICE_CLOSE_REASONS = {
    "guardianship": "後見開始",
    "registered_in_error": "誤登録",
    "impression_unusable": "印影不鮮明・使用不能",
    "other": "その他",
}
DETAIL_MAX = 100


def office_close_reason(code: str, detail: str | None = None) -> str:
    """The 抹消 reason as written on the record: the label, or 「その他（…）」 with the clerk's text.

    Raise NotEligible (unknown_reason, detail_required) for a code not in the list or その他 without text.
    """
    if code not in OFFICE_CLOSE_REASONS:
        raise NotEligible(f"抹消事由 {code} は選択肢にありません", "unknown_reason")
    text = " ".join((detail or "").split())
    if code != "other":
        return OFFICE_CLOSE_REASONS[code]
    if not text:
        raise NotEligible("抹消事由が「その他」のときは、具体的な理由を入力してください", "detail_required")
    return f"その他（{text[:DETAIL_MAX]}）"


def find_by_number(session: Session, typed: str | None) -> Registration | None:
    """The record of a typed registration number (full-width digits, spaces and dashes accepted)."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", typed or "") if ch.isdigit())
    return registration_by_number(session, digits) if digits else None


def close_by_office(session: Session, record: Registration, *, code: str, detail: str | None, effective: date,
                    operator: str, instance_id: int | None) -> HistoryEntry:
    """職権抹消: the record becomes a 除票 with the office's reason; `operator` is the approving clerk.

    Raise NotEligible (already_closed) when the record is no longer active: a 除票 is never closed twice.
    """
    return close_record(session, record, status=RecordStatus.DELETED, reason=office_close_reason(code, detail),
                        entry_reason=f"抹消（職権・{OFFICE_CLOSE_REASONS[code]}）", effective=effective,
                        operator=operator, instance_id=instance_id, refusal_code="already_closed")
