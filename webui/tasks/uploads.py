"""Seal-scan uploads of a task form: checked, stored as blobs, and turned into the field's blob hash."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from registry.blobs.store import put_blob
from webui.tasks.forms import scan_fields
from webui.wiring import product

__all__ = ["MAX_UPLOAD_BYTES", "file_field", "sniff_image", "store_scan_uploads"]

MAX_UPLOAD_BYTES = 30 * 1024 * 1024
IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
NOT_AN_IMAGE = "画像ファイル（PNG・JPEG・TIFF）を選択してください"


def file_field(name: str) -> str:
    """The name of the file input that feeds a seal-scan field."""
    return f"{name}__file"


def sniff_image(data: bytes) -> str | None:
    """The media type of PNG, JPEG or TIFF bytes, judged by their signature; None for anything else."""
    return next((media for signature, media in IMAGE_SIGNATURES if data.startswith(signature)), None)


def upload_error(upload: FileStorage, data: bytes) -> str | None:
    """A Japanese field message when the upload cannot be a scan; None when it is acceptable."""
    if not data:
        return "ファイルが空です。スキャンした画像を選択してください"
    if len(data) > MAX_UPLOAD_BYTES:
        return "ファイルが大きすぎます（30MBまで）"
    declared = (upload.mimetype or "").lower()
    if declared and declared != "application/octet-stream" and not declared.startswith("image/"):
        return NOT_AN_IMAGE
    return None if sniff_image(data) else NOT_AN_IMAGE


def store_scan_uploads(document: dict, files: MultiDict, values: dict[str, Any],
                       username: str) -> dict[str, str]:
    """Store every uploaded scan and put its hash into `values`; return field errors for refused files."""
    errors: dict[str, str] = {}
    for name in scan_fields(document):
        upload = files.get(file_field(name))
        if upload is None or not upload.filename:
            continue
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        error = upload_error(upload, data)
        if error:
            errors[name] = error
            values.pop(name, None)
            continue
        with product().session_factory.begin() as session:
            values[name] = put_blob(session, data, sniff_image(data), filename=_safe_name(upload.filename),
                                    created_by=username)
    return errors


def _safe_name(filename: str) -> str:
    return filename.replace("\\", "/").rsplit("/", 1)[-1][:200] or "scan"
