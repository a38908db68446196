"""4.1.2.2 印鑑登録原票確認票出力: the record, its history and the impression at true size, as a PDF blob."""

from __future__ import annotations

import json
from datetime import date

import printing
from handlers.base import ServiceContext
from handlers.services import to_jst
from registry.blobs.store import get_blob, put_blob
from registry.seals import records
from registry.seals.models import HistoryEntry, Impression, RecordStatus, Registration

FIELD_LABELS = {"registration_number": "登録番号", "status": "状態", "name": "氏名", "kana": "フリガナ",
                "address": "住所", "card_kind": "登録証", "card_number": "登録証番号", "old_surname": "旧氏",
                "common_name": "通称", "household_id": "世帯番号"}


def confirmation_sheet(ctx: ServiceContext, registration_id: int, reprint_reason: str | None = None) -> dict:
    """4.1.2.2: render the 原票確認票 and keep it as a blob; raise printing.UnprintableCharacterError."""
    record = records.get_registration(ctx.session, registration_id)
    pdf = render_confirmation(ctx, record, reprint_reason)
    filename = f"genpyo_kakunin_{record.registration_number}.pdf"
    blob_id = put_blob(ctx.session, pdf, "application/pdf", filename=filename, created_by=ctx.actor)
    records.record_document(ctx.session, record, kind="4.1.2.2 印鑑登録原票確認票", blob_sha256=blob_id,
                            filename=filename, printed_by=ctx.actor, instance_id=ctx.instance_id,
                            reprint_reason=reprint_reason)
    ctx.printed.append({"document": "4.1.2.2 印鑑登録原票確認票", "blob": blob_id, "filename": filename,
                        "reprint_reason": reprint_reason})
    return {"document_blob_id": blob_id, "filename": filename}


def render_confirmation(ctx: ServiceContext, record: Registration, reprint_reason: str | None = None) -> bytes:
    impression = ctx.session.get(Impression, record.impression_id)
    office = ctx.services.settings.office
    return printing.confirmation_sheet(
        printing_record(record), [history_line(e) for e in records.history_of(ctx.session, record.id)],
        printing.Impression(png=get_blob(ctx.session, impression.image_blob).data, mm_per_px=impression.mm_per_px,
                            width_mm=impression.width_mm, height_mm=impression.height_mm),
        printing.Office(municipality=office.municipality, mayor_title=office.mayor_title,
                        mayor_name=office.mayor_name, section=office.section, contact=office.contact),
        issued_at=ctx.now(), reprint_reason=reprint_reason)


def printing_record(record: Registration) -> printing.RegistrationRecord:
    return printing.RegistrationRecord(
        registration_number=record.registration_number, status=RecordStatus.LABELS[record.status],
        registered_on=record.registered_on, name=record.name, kana=record.kana, old_surname=record.old_surname,
        common_name=record.common_name, katakana_name=record.katakana_name, birth_date=record.birth_date,
        sex=record.sex, address=record.address, household_id=record.household_id, resident_id=record.resident_id,
        card_kind=record.card_kind, card_number=record.card_number)


def history_line(entry: HistoryEntry) -> printing.HistoryLine:
    return printing.HistoryLine(processed_at=to_jst(entry.processed_at), effective_date=entry.effective_date,
                                reason=entry.reason, operator=entry.operator, summary=change_summary(entry))


def change_summary(entry: HistoryEntry) -> str:
    """「住所: 旧 → 新」 lines; a first registration lists only the number."""
    before, after = json.loads(entry.before_json), json.loads(entry.after_json)
    if not before and "registration_number" in after:
        return f"登録番号 {after['registration_number']}"
    parts = []
    for key, new in after.items():
        old = before.get(key)
        parts.append(f"{FIELD_LABELS.get(key, key)}: {_text(old)} → {_text(new)}")
    return "、".join(parts)


def _text(value) -> str:
    if value is None:
        return "なし"
    if isinstance(value, date):
        return value.isoformat()
    return RecordStatus.LABELS.get(value, str(value))


OPERATORS = [
    ("inkan.print.confirmation_sheet", "4.1.2.2", "印鑑登録原票確認票出力", confirmation_sheet),
]
