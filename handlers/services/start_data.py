"""The start contract of every flow: what a clerk (start page) or a client (``POST /api/v1/instances``) may give a
new instance, checked against the resident register before the instance exists — a refused start leaves nothing.

A flow starts with no data, or with the items of START_FIELDS (what the shipped definitions document as their
開始データ): ``resident_id`` — a person the register knows (current or former; when the register cannot be asked
now, JukiUnavailable, the flow still starts and its first service task asks again) —, ``registration_number`` —
a record of this registry —, ``reason`` (one line) and ``by_phone``. Anything else is refused, naming the item.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from handlers.base import HandlerError
from handlers.operators.residents import lookup_resident
from juki.client import JukiClient
from juki.errors import JukiUnavailable
from registry.seals import records

__all__ = ["MAX_NUMBER", "MAX_REASON", "MAX_RESIDENT_ID", "NUMBER_PATTERN", "RESIDENT_ID_PATTERN", "START_FIELDS",
           "StartDataInvalid", "check_start_data"]

MAX_RESIDENT_ID = 40  # registration.resident_id, application.resident_id
MAX_NUMBER = 20  # registration.registration_number
MAX_REASON = 200
RESIDENT_ID_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z_-]*$"
NUMBER_PATTERN = r"^[0-9A-Za-z-]+$"
START_FIELDS = ("resident_id", "registration_number", "reason", "by_phone")
_RESIDENT_ID = re.compile(RESIDENT_ID_PATTERN)
_NUMBER = re.compile(NUMBER_PATTERN)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class StartDataInvalid(HandlerError):
    """Start data outside the contract; ``field`` names the item at fault (422)."""

    code = "invalid_start_data"

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def check_start_data(session: Session, juki: JukiClient, data: dict[str, Any]) -> dict[str, Any]:
    """The start data to hand the runner; raise StartDataInvalid naming the field."""
    for key in data:
        if key not in START_FIELDS:
            raise StartDataInvalid(str(key)[:40], f"開始データに「{str(key)[:40]}」は指定できません"
                                                  f"（指定できるのは {', '.join(START_FIELDS)} だけです）")
    clean: dict[str, Any] = {}
    if data.get("resident_id") not in (None, ""):
        clean["resident_id"] = _known_resident(juki, data["resident_id"])
    if data.get("registration_number") not in (None, ""):
        clean["registration_number"] = _known_number(session, data["registration_number"])
    if data.get("reason") not in (None, ""):
        clean["reason"] = _reason(data["reason"])
    if data.get("by_phone") is not None:
        if not isinstance(data["by_phone"], bool):
            raise StartDataInvalid("by_phone", "by_phone（電話での申出）は true か false で指定してください")
        clean["by_phone"] = data["by_phone"]
    return clean


def _known_number(session: Session, value: Any) -> str:
    if not isinstance(value, str) or len(value.strip()) > MAX_NUMBER or not _NUMBER.match(value.strip()):
        raise StartDataInvalid("registration_number", f"registration_number（印鑑登録番号）は{MAX_NUMBER}文字以内の"
                                                      "英数字で指定してください")
    number = value.strip()
    if records.registration_by_number(session, number) is None:
        raise StartDataInvalid("registration_number", f"registration_number（印鑑登録番号）{number} の原票はありません")
    return number


def _reason(value: Any) -> str:
    if not isinstance(value, str) or len(value.strip()) > MAX_REASON or _CONTROL.search(value):
        raise StartDataInvalid("reason", f"reason（理由）は{MAX_REASON}文字以内の1行の文字列で指定してください")
    return value.strip()


def _known_resident(juki: JukiClient, value: Any) -> str:
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
        raise StartDataInvalid("resident_id", f"resident_id（住民ID）{resident_id} の住民は住民記録にありません")
    return resident.resident_id
