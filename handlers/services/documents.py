"""Documents printed for a record (4.1.2.2, 4.4.1.3, 5.2 card): print, 再発行 with a reason, and viewing.

Every print and reprint is kept as an IssuedDocument row and recorded as an audit event; every view of a
document goes through ``document_for_viewing`` so access can be logged in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

import printing
from handlers.base import HandlerError
from handlers.environment import HandlerServices
from handlers.services.sheets import render_card, render_record_sheet
from registry.blobs.store import get_blob, put_blob
from registry.documents.models import IssuedCertificate, PrintBatchJob, PrintQueueItem
from registry.errors import RecordNotFound
from registry.seals import records
from registry.seals.models import Application, IssuedDocument, RecordStatus, Registration

__all__ = ["CARD", "CLOSED_SHEET", "CONFIRMATION_SHEET", "REPRINTABLE", "DocumentFile", "DocumentSubject",
           "document_for_viewing", "document_subject", "issue_document", "kinds_to_offer", "print_for_registration", "reprint_document"]

CONFIRMATION_SHEET = "4.1.2.2 印鑑登録原票確認票"
CLOSED_SHEET = "4.4.1.3 印鑑登録原票（除票）確認票"
CARD = "5.2 印鑑登録証"
REPRINTABLE = (CONFIRMATION_SHEET, CLOSED_SHEET, CARD)
_FILE_STEMS = {CONFIRMATION_SHEET: "genpyo_kakunin", CLOSED_SHEET: "jyohyo_kakunin", CARD: "touroku_sho"}
REGISTRATION_CARD_KIND = "印鑑登録証"
MAX_REASON = 200


@dataclass(frozen=True)
class DocumentFile:
    """A stored document as a viewer gets it."""

    document_id: int
    data: bytes
    media_type: str
    filename: str
    title: str
    resident_id: str | None  # whose data it shows; None for a batch of many people


def print_for_registration(session, services: HandlerServices, registration_id: int, kind: str, *, actor: Any,
                           reason: str | None = None, instance_id: int | None = None) -> IssuedDocument:
    """Print ``kind`` for the record; once it was printed before, this is a 再発行 and needs ``reason``.

    Raises HandlerError: document_not_available (kind does not fit the record), reprint_reason_required,
    reprint_reason_too_long, or the printing error's code (e.g. unprintable_character).
    """
    record = records.get_registration(session, registration_id)
    if kind not in kinds_to_offer(record):
        raise HandlerError(f"この原票には「{kind}」を出力できません", code="document_not_available")
    reprint = _was_printed(session, record.id, kind)
    reason = _checked_reason(reason) if reprint else None
    try:
        pdf = _render(session, services, record, kind, reason)
    except printing.PrintingError as exc:
        raise HandlerError(exc.message, code=exc.code) from exc
    filename = f"{_FILE_STEMS[kind]}_{record.registration_number}{'_saihakko' if reason else ''}.pdf"
    return issue_document(session, services, actor, record, kind=kind, pdf=pdf, filename=filename,
                          instance_id=instance_id, reprint_reason=reason)


def reprint_document(session, services: HandlerServices, document_id: int, *, actor: Any,
                     reason: str | None) -> IssuedDocument:
    """再発行 of an issued document: the record as it stands today, marked 再発行 with ``reason``.

    Raises RecordNotFound for an unknown document; HandlerError not_reprintable, reprint_reason_required, …
    as print_for_registration does.
    """
    document = session.get(IssuedDocument, document_id)
    if document is None:
        raise RecordNotFound("帳票が見つかりません")
    if document.kind not in REPRINTABLE:
        raise HandlerError(f"「{document.kind}」はここから再発行できません", code="not_reprintable")
    _checked_reason(reason)
    return print_for_registration(session, services, document.registration_id, document.kind, actor=actor,
                                  reason=reason)


def issue_document(session, services: HandlerServices, actor: Any, record: Registration, *, kind: str, pdf: bytes,
                   filename: str, instance_id: int | None, reprint_reason: str | None = None) -> IssuedDocument:
    """Keep the PDF, remember it on the record, and record the print (or 再発行) as an audit event."""
    blob = put_blob(session, pdf, "application/pdf", filename=filename, created_by=actor.username)
    document = records.record_document(session, record, kind=kind, blob_sha256=blob, filename=filename,
                                       printed_by=actor.username, instance_id=instance_id,
                                       reprint_reason=reprint_reason)
    event = "document_reprinted" if reprint_reason else "document_printed"
    services.record_audit(session, actor, event, instance_id=instance_id, title=kind,
                          summary={"document_id": document.id, "document": kind, "filename": filename,
                                   "blob": blob, "registration_number": record.registration_number,
                                   "reprint_reason": reprint_reason})
    return document


def document_for_viewing(session, source: str, item_id: int, *, actor: Any, purpose: str) -> DocumentFile:
    """The one way to a printed document's bytes (preview, download, print); raise RecordNotFound.

    ``source`` is 'document' (IssuedDocument), 'certificate' (IssuedCertificate), 'batch' (PrintBatchJob) or
    'queue' (PrintQueueItem, a letter printed in a batch);
    ``actor`` and ``purpose`` ('preview' | 'download') are taken here so that access logging stays in one place.
    """
    found = _SOURCES.get(source)
    row = session.get(found[0], item_id) if found is not None else None
    sha = getattr(row, "blob_sha256", None)
    if found is None or row is None or not sha:
        raise RecordNotFound("帳票が見つかりません")
    _, name_of, title_of = found
    blob = get_blob(session, sha)
    return DocumentFile(row.id, blob.data, blob.media_type, name_of(row), title_of(row), _resident_of(session, row))


@dataclass(frozen=True)
class DocumentSubject:
    """Whose data a printed document shows (None: several people, a batch) and the case that printed it."""

    resident_id: str | None
    instance_id: int | None


def document_subject(session, source: str, item_id: int) -> DocumentSubject | None:
    """The person and case of a document, for the page to ask why before it is read; None when there is none."""
    found = _SOURCES.get(source)
    row = session.get(found[0], item_id) if found is not None else None
    if row is None:
        return None
    return DocumentSubject(_resident_of(session, row), getattr(row, "instance_id", None))


def _resident_of(session, row) -> str | None:
    """Whose data the document shows: its record's person, or the applicant of a queued 照会書; None for a batch."""
    registration_id = getattr(row, "registration_id", None)
    if registration_id:
        return records.get_registration(session, registration_id).resident_id
    application = session.get(Application, row.application_id) if getattr(row, "application_id", None) else None
    return application.resident_id if application is not None else None


def issued_by_blob(session, sha: str) -> tuple[str, int] | None:
    """(source, id) of the printed document, certificate, batch or queued letter stored as this PDF, or None.

    Every URL that serves a stored file by its hash asks this first: such a PDF is served only through
    document_for_viewing, under the documents' role rule.
    """
    for source, (model, _, _) in _SOURCES.items():
        row_id = session.scalar(select(model.id).where(model.blob_sha256 == sha).order_by(model.id).limit(1))
        if row_id is not None:
            return source, row_id
    return None


# source → (mapped class with id and blob_sha256, its file name, its title)
_SOURCES: dict[str, tuple[type[Any], Callable[[Any], str], Callable[[Any], str]]] = {
    "document": (IssuedDocument, lambda row: row.filename, lambda row: row.kind),
    "certificate": (IssuedCertificate, lambda row: f"inkan_shomei_{row.serial}.pdf",
                    lambda row: f"6.1 印鑑登録証明書 {row.serial}"),
    "batch": (PrintBatchJob, lambda row: f"batch_{row.document}_{row.id}.pdf", lambda row: f"一括印刷 {row.id}"),
    "queue": (PrintQueueItem, lambda row: f"{row.document}_{row.id}.pdf", lambda row: f"一括印刷の帳票 {row.id}"),
}


def kinds_to_offer(record: Registration) -> tuple[str, ...]:
    """What may be printed for the record: the 確認票 while registered (and the card if it uses one), else 除票."""
    if record.status != RecordStatus.REGISTERED:
        return (CLOSED_SHEET,)
    if record.card_kind == REGISTRATION_CARD_KIND:
        return (CONFIRMATION_SHEET, CARD)
    return (CONFIRMATION_SHEET,)


def _render(session, services: HandlerServices, record: Registration, kind: str, reason: str | None) -> bytes:
    if kind == CARD:
        return render_card(session, services, record, issued_on=services.today())
    return render_record_sheet(session, services, record, issued_at=services.now(), reprint_reason=reason)


def _was_printed(session, registration_id: int, kind: str) -> bool:
    return any(d.kind == kind for d in records.documents_of(session, registration_id))


def _checked_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise HandlerError("再発行するには理由を入力してください", code="reprint_reason_required")
    if len(text) > MAX_REASON:
        raise HandlerError(f"再発行の理由は{MAX_REASON}文字以内で入力してください", code="reprint_reason_too_long")
    return text
