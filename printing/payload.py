"""Signed, URL-safe QR payloads of certificates: 「v1.<serial>.<issued>.<registration>.<signature>」."""

from __future__ import annotations

import base64
import hmac
import re
from datetime import datetime
from hashlib import sha256

from printing.errors import PrintingError

VERSION = "v1"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,40}")
_STAMP = "%Y%m%d%H%M%S"
_SIGNATURE_BYTES = 16


def certificate_payload(serial: str, issued_at: datetime, registration_number: str, key: bytes) -> str:
    """Return the signed payload (HMAC-SHA256, truncated to 128 bits, base64url without padding).

    Raises PrintingError('invalid_payload_field') when serial or number is not 1–40 of [A-Za-z0-9_-],
    PrintingError('invalid_key') when the key is empty.
    """
    for label, value in (("証明書番号", serial), ("登録番号", registration_number)):
        if not _TOKEN.fullmatch(value):
            raise PrintingError(
                "invalid_payload_field", f"{label}に使用できない文字が含まれています: {value}"
            )
    if not key:
        raise PrintingError("invalid_key", "署名鍵が設定されていません")
    body = ".".join((VERSION, serial, issued_at.strftime(_STAMP), registration_number))
    return f"{body}.{_sign(body, key)}"


def verify_certificate_payload(payload: str, key: bytes) -> dict[str, object] | None:
    """Return {serial, issued_at, registration_number} if ``payload`` is genuine under ``key``, else None."""
    parts = payload.split(".")
    if len(parts) != 5 or parts[0] != VERSION or not key:
        return None
    body, signature = ".".join(parts[:4]), parts[4]
    if not hmac.compare_digest(signature.encode("ascii", "replace"), _sign(body, key).encode("ascii")):
        return None
    _, serial, stamp, registration_number = parts[:4]
    try:
        issued_at = datetime.strptime(stamp, _STAMP)
    except ValueError:
        return None
    return {"serial": serial, "issued_at": issued_at, "registration_number": registration_number}


def _sign(body: str, key: bytes) -> str:
    digest = hmac.new(key, body.encode("ascii"), sha256).digest()[:_SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
