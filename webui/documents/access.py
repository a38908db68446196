"""The one place pages read a printed document: through handlers.document_for_viewing, with the access logged."""

from __future__ import annotations

from handlers.services.documents import DocumentFile, document_for_viewing
from webui.audit.access import log_person_view
from webui.auth.users import current_actor
from webui.wiring import product

__all__ = ["open_document"]


def open_document(source: str, item_id: int, *, purpose: str) -> DocumentFile:
    """The document's bytes; the view is logged against the person it shows (access log, 目的つき).

    Raises RecordNotFound for an unknown document. Callers run webui.audit.access.purpose_gate() first.
    """
    with product().session_factory.begin() as session:
        document = document_for_viewing(session, source, item_id, actor=current_actor(), purpose=purpose)
        log_person_view(session, document.resident_id, f"帳票 {document.title}"[:100], target=f"{source}:{item_id}")
    return document
