"""Check an uploaded file: its media type comes from its first bytes, never from what the client claims."""

from __future__ import annotations

from werkzeug.datastructures import FileStorage

from webui.api.params import ApiError

MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"%PDF-", "application/pdf"),
)
ACCEPTED = tuple(sorted({media_type for _, media_type in MAGIC}))
UNSPECIFIC = ("", "application/octet-stream")
MAX_FILENAME = 200


def sniff_media_type(data: bytes) -> str | None:
    """The accepted media type whose magic bytes start `data`, or None."""
    return next((media_type for magic, media_type in MAGIC if data.startswith(magic)), None)


def read_upload(file: FileStorage | None) -> tuple[bytes, str, str | None]:
    """(bytes, sniffed media type, filename) of an upload; raise ApiError 400 / 415 / 422."""
    if file is None:
        raise ApiError(400, "missing_file", "file 欄にファイルを添付してください（multipart/form-data）")
    data = file.read()
    if not data:
        raise ApiError(422, "empty_file", "ファイルが空です")
    media_type = sniff_media_type(data)
    declared = (file.mimetype or "").lower()
    if media_type is None or declared not in (*UNSPECIFIC, media_type):
        raise ApiError(415, "unsupported_media_type",
                       "PNG・JPEG・TIFF の画像または PDF だけを受け付けます（ファイルの中身と種類が一致しません）")
    filename = (file.filename or "")[:MAX_FILENAME] or None
    return data, media_type, filename
