"""Files that clerks and clients upload (seal scans, stamped documents, PDFs): one size limit, one sniffer, and
every file decoded when it arrives — not only when it is used.

The media type comes from the first bytes, never from what the client claims; an image must decode within
imaging's limits (a 30000×30000 PNG header bomb or an HTML page behind a PNG signature is refused here); a PDF
must parse, have a page and carry no script. The API (/api/v1/blobs), the task form's scan fields and 2.2.1
印影照合 all go through ``check_upload``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from werkzeug.datastructures import FileStorage

import imaging
from webui.refusals import RequestRefused

__all__ = ["ACCEPTED", "IMAGE_TYPES", "MAX_UPLOAD_BYTES", "PDF", "Upload", "UploadRefused", "check_upload",
           "read_upload", "sniff_media_type"]

MAX_UPLOAD_BYTES = 30 * 1024 * 1024  # also the request limit, MAX_CONTENT_LENGTH (webui/config.py)
MAX_FILENAME = 200
PDF = "application/pdf"
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"%PDF-", PDF),
)
IMAGE_TYPES = ("image/jpeg", "image/png", "image/tiff")
ACCEPTED = (PDF, *IMAGE_TYPES)
UNSPECIFIC = ("", "application/octet-stream")
SCRIPT_KEYS = ("/OpenAction", "/AA", "/JavaScript")


class UploadRefused(RequestRefused):
    """An upload refused on arrival: 413 too large, 415 not what it claims to be, 422 empty or unusable."""


@dataclass(frozen=True)
class Upload:
    data: bytes
    media_type: str
    filename: str | None


def sniff_media_type(data: bytes) -> str | None:
    """The accepted media type whose signature starts `data`, or None."""
    return next((media_type for magic, media_type in SIGNATURES if data.startswith(magic)), None)


def _kinds(accept: tuple[str, ...]) -> str:
    images = "画像ファイル（PNG・JPEG・TIFF）" if any(t in IMAGE_TYPES for t in accept) else ""
    return "または".join(filter(None, [images, "PDF" if PDF in accept else ""]))


def check_upload(data: bytes, *, declared: str = "", accept: tuple[str, ...] = ACCEPTED) -> str:
    """The sniffed media type of an acceptable upload; raise UploadRefused (413 / 415 / 422) otherwise."""
    if not data:
        raise UploadRefused(422, "empty_file", "ファイルが空です")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(413, "too_large", f"ファイルが大きすぎます（{MAX_UPLOAD_BYTES // 1024 // 1024}MBまで）")
    media_type = sniff_media_type(data)
    declared = (declared or "").lower()
    claims_fit = declared in (*UNSPECIFIC, media_type) or (declared.startswith("image/") and media_type in IMAGE_TYPES)
    if media_type not in accept or not claims_fit:
        raise UploadRefused(415, "unsupported_media_type",
                            f"{_kinds(accept)}を選択してください（ファイルの中身がその形式ではないか、種類が一致しません）")
    if media_type == PDF:
        _check_pdf(data)
    else:
        _check_image(data)
    return media_type


def _check_image(data: bytes) -> None:
    try:
        imaging.check_image(data)
    except imaging.UnusableImageError as exc:
        status = 422 if exc.code in ("image_too_large", "file_too_large") else 415
        raise UploadRefused(status, exc.code, exc.message) from None


def _check_pdf(data: bytes) -> None:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = len(reader.pages)
        root = reader.trailer["/Root"]
        names = root.get("/Names") or {}
        scripted = any(key in root for key in SCRIPT_KEYS[:2]) or SCRIPT_KEYS[2] in names
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, OSError, RecursionError):
        raise UploadRefused(415, "not_a_pdf", "PDFとして読み込めません（ファイルが壊れているか、中身がPDFではありません）") from None
    if pages < 1:
        raise UploadRefused(422, "empty_pdf", "ページのないPDFは受け付けられません")
    if scripted:
        raise UploadRefused(415, "pdf_with_script", "スクリプト（JavaScript・自動実行）を含むPDFは受け付けられません")


def read_upload(file: FileStorage | None, *, accept: tuple[str, ...] = ACCEPTED) -> Upload:
    """Read and check one uploaded file; raise UploadRefused (400 when no file was sent)."""
    if file is None or not file.filename:
        raise UploadRefused(400, "missing_file", "ファイルを添付してください（multipart/form-data の file 欄）")
    data = file.read(MAX_UPLOAD_BYTES + 1)
    media_type = check_upload(data, declared=file.mimetype or "", accept=accept)
    name = (file.filename or "").replace("\\", "/").rsplit("/", 1)[-1][:MAX_FILENAME] or None
    return Upload(data, media_type, name)
