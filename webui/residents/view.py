"""2.2.1 登録内容照会: a resident's records (active and closed) with impression, history and printed documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from handlers.operators.printing import change_summary
from handlers.operators.shoukai_touroku import ANSWER_REFUSALS
from handlers.services.documents import kinds_to_offer
from registry.documents.certificates import certificate_refusal, certificates_of
from registry.documents.models import IssuedCertificate
from registry.seals import records
from registry.seals.models import HistoryEntry, Impression, IssuedDocument, Registration
from registry.seals.reports import answer_refusals_of, fraud_suspicions_of
from webui.residents.images import TrueSize, true_size

__all__ = ["FraudWarning", "HistoryRow", "RecordView", "fraud_warnings", "record_views"]


@dataclass
class HistoryRow:
    entry: HistoryEntry
    summary: str


@dataclass
class RecordView:
    record: Registration
    impression: Impression | None
    image: TrueSize | None
    history: list[HistoryRow]
    documents: list[IssuedDocument]
    certificates: list[IssuedCertificate]
    printable: tuple[str, ...]  # document kinds a clerk may print (again) for this record
    certificate_refusal: str | None  # why 6.1 is refused today, or None


def record_views(session: Session, resident_id: str, today) -> list[RecordView]:
    """Every record of the resident, newest first."""
    views = []
    for record in records.registrations_of(session, resident_id):
        impression = session.get(Impression, record.impression_id)
        image = true_size(session, impression.image_blob, impression.mm_per_px) if impression else None
        history = [HistoryRow(entry, change_summary(entry)) for entry in records.history_of(session, record.id)]
        views.append(RecordView(record, impression, image, history, records.documents_of(session, record.id),
                                certificates_of(session, record.id), kinds_to_offer(record),
                                certificate_refusal(record, today)))
    return views


@dataclass
class FraudWarning:
    """A 4.1.4 application in this person's name that they answered 「申請していない」, or whose 回答書 was refused
    as not coming through the mailed letter (`refused_reason`, in Japanese): when, its number, the case."""

    answered_at: datetime
    inquiry_number: str
    instance_id: int
    refused_reason: str | None = None


def fraud_warnings(session: Session, resident_id: str) -> list[FraudWarning]:
    """Newest first."""
    warnings = [FraudWarning(a.closed_at, records.inquiry_number(a.id), a.instance_id)
                for a in fraud_suspicions_of(session, resident_id)]
    warnings += [FraudWarning(r.refused_at, r.typed_number, r.instance_id, ANSWER_REFUSALS.get(r.reason, r.reason))
                 for r in answer_refusals_of(session, resident_id)]
    return sorted(warnings, key=lambda w: w.answered_at, reverse=True)
