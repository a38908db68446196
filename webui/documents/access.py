"""The one place pages read a printed document: after the purpose for its person and case, with the access logged."""

from __future__ import annotations

from handlers.services.documents import DocumentFile, document_for_viewing, document_subject
from webui.audit.access import SEVERAL, log_person_view, purpose_gate
from webui.auth.users import current_actor
from webui.wiring import product

__all__ = ["document_gate", "open_document"]


def document_gate(source: str, item_id: int):
    """purpose_gate() for the person and case a document shows (a print batch: several people at once)."""
    with product().session_factory() as session:
        subject = document_subject(session, source, item_id)
    if subject is None:
        return None  # nothing to ask about: reading it answers 404
    return purpose_gate(subject.resident_id or SEVERAL, subject.instance_id)


def open_document(source: str, item_id: int, *, purpose: str) -> DocumentFile:
    """The document's bytes; the view is logged against the person it shows (access log, 目的つき).

    Raises RecordNotFound for an unknown document. Callers run document_gate() first.
    """
    with product().session_factory.begin() as session:
        document = document_for_viewing(session, source, item_id, actor=current_actor(), purpose=purpose)
        subject = document_subject(session, source, item_id)
        log_person_view(session, document.resident_id, f"帳票 {document.title}"[:100], target=f"{source}:{item_id}",
                        instance_id=subject.instance_id if subject else None)
    return document
