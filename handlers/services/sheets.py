"""The registry's rows as the printing package's plain records, and the record documents rendered from them."""

from __future__ import annotations

from datetime import date, datetime

import printing
from handlers.environment import HandlerServices, to_jst
from handlers.services.history_labels import change_summary
from registry.blobs.store import get_blob
from registry.seals import records
from registry.seals.models import HistoryEntry, Impression, RecordStatus, Registration
from registry.settings.store import Municipality
from registry.staff.accounts import display_names

__all__ = ["change_summary", "history_line", "printing_impression", "printing_office", "printing_record",
           "render_card", "render_record_sheet"]


def render_record_sheet(session, services: HandlerServices, record: Registration, *, issued_at: datetime,
                        reprint_reason: str | None = None) -> bytes:
    """4.1.2.2 原票確認票, or 4.4.1.3 除票確認票 when the record is closed; raise printing.PrintingError."""
    impression = session.get(Impression, record.impression_id)
    names = display_names(session)  # the sheet names the clerks, not their login ids
    args = (printing_record(record), [history_line(e, names) for e in records.history_of(session, record.id)],
            printing_impression(session, impression) if impression else None,
            printing_office(services.office(session)))
    if record.status == RecordStatus.REGISTERED:
        return printing.confirmation_sheet(*args, issued_at=issued_at, reprint_reason=reprint_reason)
    closure = printing.Closure(closed_on=record.closed_on or issued_at.date(),
                               reason=record.close_reason or RecordStatus.LABELS[record.status])
    return printing.closed_record_sheet(*args, closure=closure, issued_at=issued_at, reprint_reason=reprint_reason)


def render_card(session, services: HandlerServices, record: Registration, *, issued_on: date) -> bytes:
    """5.2 印鑑登録証 of the record; raise printing.PrintingError."""
    return printing.registration_card(record.registration_number, printing_office(services.office(session)),
                                      issued_on=issued_on)


def printing_office(office: Municipality) -> printing.Office:
    return printing.Office(municipality=office.municipality, mayor_title=office.mayor_title,
                           mayor_name=office.mayor_name, section=office.section, contact=office.contact)


def printing_impression(session, impression: Impression) -> printing.Impression:
    return printing.Impression(png=get_blob(session, impression.image_blob).data, mm_per_px=impression.mm_per_px,
                               width_mm=impression.width_mm, height_mm=impression.height_mm)


def printing_record(record: Registration) -> printing.RegistrationRecord:
    return printing.RegistrationRecord(
        registration_number=record.registration_number, status=RecordStatus.LABELS[record.status],
        registered_on=record.registered_on, name=record.name, kana=record.kana, old_surname=record.old_surname,
        common_name=record.common_name, katakana_name=record.katakana_name, birth_date=record.birth_date,
        sex=record.sex, address=record.address, household_id=record.household_id, resident_id=record.resident_id,
        card_kind=record.card_kind, card_number=record.card_number, impression_name=record.impression_name)


def history_line(entry: HistoryEntry, names: dict[str, str] | None = None) -> printing.HistoryLine:
    """One 異動履歴 line; `names` maps login ids to the staff's display names."""
    return printing.HistoryLine(processed_at=to_jst(entry.processed_at), effective_date=entry.effective_date,
                                reason=entry.reason, operator=(names or {}).get(entry.operator, entry.operator),
                                summary=change_summary(entry))
