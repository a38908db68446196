"""4.4.1.3 印鑑登録原票（除票）確認票: the confirmation sheet of a closed record, marked 除票."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from printing.confirmation import record_sheet
from printing.documents import Closure, HistoryLine, Impression, Office, RegistrationRecord
from printing.fonts import FontSet


def closed_record_sheet(
    record: RegistrationRecord,
    history: Sequence[HistoryLine],
    impression: Impression | None,
    office: Office,
    *,
    closure: Closure,
    issued_at: datetime,
    fonts: FontSet | None = None,
    reprint_reason: str | None = None,
) -> bytes:
    """Render the 印鑑登録原票（除票）確認票 with a red 除票 mark, the closing date (和暦) and reason.

    Raises UnprintableCharacterError for a field without a glyph (the reason is 「除票事由」), PrintingError
    for a missing font, a date before Meiji, or an unreadable / oversized impression.
    """
    return record_sheet(
        record,
        history,
        impression,
        office,
        issued_at=issued_at,
        fonts=fonts,
        reprint_reason=reprint_reason,
        closure=closure,
    )
