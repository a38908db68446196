"""RequestRefused: a request the product refuses before any engine or registry call.

Raised by guards, parameter parsing and input checks of pages and the API alike; webui/errors.py turns it into
``{"error": code, "message": ..., "errors"?: {field: message}}`` (API) or the Japanese error page.
"""

from __future__ import annotations

__all__ = ["RequestRefused"]


class RequestRefused(Exception):
    """HTTP status, machine-readable code, Japanese message, and optionally the fields at fault."""

    def __init__(self, status: int, code: str, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
