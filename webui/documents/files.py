"""PDF responses: inline for the browser's viewer (preview, print) or as an attachment (download)."""

from __future__ import annotations

import io

from flask import send_file

from handlers.services.documents import DocumentFile

__all__ = ["pdf_response"]


def pdf_response(document: DocumentFile, *, download: bool):
    response = send_file(io.BytesIO(document.data), mimetype=document.media_type, as_attachment=download,
                         download_name=document.filename, conditional=False, etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
