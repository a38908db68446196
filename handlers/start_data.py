"""The start contract of every flow: what a clerk (start page) or a client (``POST /api/v1/instances``) may give a
new instance, checked against the resident register before the instance exists — a refused start leaves nothing.

A flow starts with no data, or with ``resident_id``: a person the register knows (current or former). When the
register cannot be asked now (JukiUnavailable) the flow still starts; its first service task asks again.
"""

from __future__ import annotations

import re
from typing import Any

from handlers.base import HandlerError
from handlers.residents import lookup_resident
from juki.errors import JukiUnavailable

__all__ = ["MAX_RESIDENT_ID", "RESIDENT_ID_PATTERN", "START_FIELDS", "StartDataInvalid", "check_start_data"]

MAX_RESIDENT_ID = 40  # registration.resident_id, application.resident_id
RESIDENT_ID_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z_-]*$"
START_FIELDS = ("resident_id",)
_RESIDENT_ID = re.compile(RESIDENT_ID_PATTERN)


class StartDataInvalid(HandlerError):
    """Start data outside the contract; ``field`` names the item at fault (422)."""

    code = "invalid_start_data"

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def check_start_data(juki, data: dict[str, Any]) -> dict[str, Any]:
    """The start data to hand the runner; raise StartDataInvalid naming the field."""
    for key in data:
        if key not in START_FIELDS:
            raise StartDataInvalid(str(key)[:40], f"開始データに「{str(key)[:40]}」は指定できません"
                                                  f"（指定できるのは {', '.join(START_FIELDS)} だけです）")
    if data.get("resident_id") in (None, ""):
        return {}
    return {"resident_id": _known_resident(juki, data["resident_id"])}


def _known_resident(juki, value: Any) -> str:
    if not isinstance(value, str):
        raise StartDataInvalid("resident_id", "resident_id（住民ID）は文字列で指定してください")
    resident_id = value.strip()
    if len(resident_id) > MAX_RESIDENT_ID or not _RESIDENT_ID.match(resident_id):
        raise StartDataInvalid("resident_id", f"resident_id（住民ID）は{MAX_RESIDENT_ID}文字以内の英数字で"
                                              "指定してください")
    try:
        resident = lookup_resident(juki, resident_id)
    except JukiUnavailable:
        return resident_id  # the register is down: the flow's own inquiry (2.2.1) asks again
    if resident is None:
        raise StartDataInvalid("resident_id", f"住民ID {resident_id} の住民は住民記録にありません")
    return resident.resident_id
