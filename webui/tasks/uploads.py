"""Seal-scan uploads of a task form: checked, stored as blobs, and turned into the field's blob hash.

A field named in the form's ``ui.impression_required`` ({field: its dpi field}) must show one measurable
impression (a 保証書's stamp): a scan that does not is refused here, before anything is stored.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from handlers.operators.impressions import normalized_or_problem
from registry.blobs.store import get_blob, put_blob
from registry.errors import BlobNotFound
from webui.tasks.forms import scan_fields
from webui.uploads import IMAGE_TYPES, UploadRefused, read_upload
from webui.wiring import product

__all__ = ["file_field", "impression_problems", "scan_dpi", "store_scan_uploads"]


def file_field(name: str) -> str:
    """The name of the file input that feeds a seal-scan field."""
    return f"{name}__file"


def store_scan_uploads(document: dict, files: MultiDict, values: dict[str, Any],
                       username: str) -> dict[str, str]:
    """Store every uploaded scan and put its hash into `values`; return field errors for refused files."""
    errors: dict[str, str] = {}
    for name in scan_fields(document):
        upload = files.get(file_field(name))
        if upload is None or not upload.filename:
            continue
        try:
            scan = read_upload(upload, accept=IMAGE_TYPES)
        except UploadRefused as exc:
            errors[name] = exc.message
            values.pop(name, None)
            continue
        if problem := _impression_problem(document, name, scan.data, values):
            errors[name] = problem
            values.pop(name, None)
            continue
        with product().session_factory.begin() as session:
            values[name] = put_blob(session, scan.data, scan.media_type, filename=scan.filename or "scan",
                                    created_by=username)
    return errors


def impression_problems(document: dict, values: dict[str, Any]) -> dict[str, str]:
    """Field errors for already stored scans (given by hash, as the API does) that show no measurable impression."""
    errors: dict[str, str] = {}
    for name in _impression_required(document):
        sha = values.get(name)
        if not isinstance(sha, str) or not sha:
            continue
        with product().session_factory() as session:
            try:
                data = get_blob(session, sha).data
            except BlobNotFound:
                continue  # the schema or the handler refuses an unknown hash
        if problem := _impression_problem(document, name, data, values):
            errors[name] = problem
    return errors


def _impression_required(document: dict) -> dict[str, str | None]:
    required = (document.get("ui") or {}).get("impression_required") or {}
    return required if isinstance(required, dict) else {}


def _impression_problem(document: dict, name: str, data: bytes, values: dict[str, Any]) -> str | None:
    required = _impression_required(document)
    if name not in required:
        return None
    found = normalized_or_problem(product().services, data, scan_dpi(values.get(required[name] or "")))
    return f"印影を読み取れません（{found}）。押印全体が写るように読み直してください" if isinstance(found, str) else None


def scan_dpi(value: Any) -> float | None:
    """A scan's dpi as the clerk typed it: a number from 100 to 1200, else None (the scanner's default is used)."""
    try:
        dpi = float(value)
    except (TypeError, ValueError):
        return None
    return dpi if 100 <= dpi <= 1200 else None
