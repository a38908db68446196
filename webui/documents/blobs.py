"""The one door to a stored file by its hash: ``/residents/blobs/<sha>`` (pages) and ``/api/v1/blobs/<sha>`` (API).

A PDF that belongs to a printed document, certificate, batch or queued letter follows the documents' rule
whatever URL reaches it: only DOCUMENT_READERS (clerks and auditors — never the system administrator), after the
purpose for its person and case (pages), access-logged against the person it shows. Other files — seal scans, impressions,
overlays, the office seal — are for signed-in staff; they are shown on the pages that log the view.
"""

from __future__ import annotations

import io

from flask import Response, abort, request, send_file
from flask_login import current_user

from handlers.services.documents import document_for_viewing, issued_by_blob
from registry.blobs.store import get_blob
from webui.audit.access import log_api_view
from webui.auth.users import CLERK_ROLES
from webui.documents.access import document_gate, open_document
from webui.documents.files import pdf_response
from webui.refusals import RequestRefused
from webui.wiring import product

__all__ = ["DOCUMENT_READERS", "api_blob_response", "page_blob_response"]

DOCUMENT_READERS = (*CLERK_ROLES, "auditor")  # printed documents show people's data
INLINE_TYPES = ("image/png", "image/jpeg", "image/tiff", "application/pdf")
PDF = "application/pdf"


def _stored(sha: str):
    """(blob, (source, id) of the document it is, or None); raise BlobNotFound."""
    with product().session_factory() as session:
        blob = get_blob(session, sha.lower())
        return blob, issued_by_blob(session, blob.sha256) if blob.media_type == PDF else None


def page_blob_response(sha: str):
    """The file for a signed-in page user; `?download=1` sends it as an attachment."""
    blob, issued = _stored(sha)
    download = request.args.get("download") == "1"
    if issued is not None:
        if current_user.role not in DOCUMENT_READERS:
            abort(403)
        if (gate := document_gate(*issued)) is not None:
            return gate
        return pdf_response(open_document(*issued, purpose="download" if download else "preview"), download=download)
    inline = blob.media_type in INLINE_TYPES
    response = send_file(io.BytesIO(blob.data), mimetype=blob.media_type if inline else "application/octet-stream",
                         as_attachment=download or not inline, download_name=blob.filename or blob.sha256,
                         max_age=86400, conditional=False, etag=blob.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    return response


def api_blob_response(sha: str, actor) -> Response:
    """The file for an API caller; a document's PDF only for DOCUMENT_READERS, logged (X-Access-Purpose)."""
    blob, issued = _stored(sha)
    data, media_type, cache = blob.data, blob.media_type, "private, max-age=31536000, immutable"
    if issued is not None:
        if actor.role not in DOCUMENT_READERS:
            raise RequestRefused(403, "forbidden", "印刷した帳票・証明書はこの役割では取得できません")
        with product().session_factory.begin() as session:
            document = document_for_viewing(session, *issued, actor=actor, purpose="download")
            log_api_view(session, actor, document.resident_id, f"帳票 {document.title}（API）"[:100],
                         target=f"{issued[0]}:{issued[1]}")
        data, media_type, cache = document.data, document.media_type, "private, no-store"
    response = Response(data, mimetype=media_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = cache
    return response
