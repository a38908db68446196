"""Seal-scan uploads of a task form: checked, stored as blobs, and turned into the field's blob hash."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from registry.blobs.store import put_blob
from webui.tasks.forms import scan_fields
from webui.uploads import IMAGE_TYPES, UploadRefused, read_upload
from webui.wiring import product

__all__ = ["file_field", "store_scan_uploads"]


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
        with product().session_factory.begin() as session:
            values[name] = put_blob(session, scan.data, scan.media_type, filename=scan.filename or "scan",
                                    created_by=username)
    return errors
