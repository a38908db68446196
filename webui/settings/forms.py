"""Reading the office-seal upload of the settings form."""

from __future__ import annotations

from werkzeug.datastructures import FileStorage

from handlers.services.settings import MAX_SEAL_BYTES, SettingsInvalid

__all__ = ["read_seal_upload"]


def read_seal_upload(upload: FileStorage | None) -> bytes | None:
    """The uploaded PNG's bytes, None when no file was chosen; raise SettingsInvalid when it is too large."""
    if upload is None or not upload.filename:
        return None
    data = upload.stream.read(MAX_SEAL_BYTES + 1)
    if len(data) > MAX_SEAL_BYTES:
        raise SettingsInvalid({"office_seal_blob": "公印の画像は2MB以下のPNGにしてください"})
    return data
