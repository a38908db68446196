"""The JSON Schema of each resident event kind: what ``POST /api/v1/juki/events`` (and every other way into the
intake) must carry — types, lengths, dates and characters — before anything is stored.

The lengths are those of the registry's columns the values end in (印鑑登録原票 and the intake table), so nothing
of the wrong type or size ever reaches the 原票. ``validate_event`` raises InvalidQuery with a Japanese message
that names the item at fault; ``EVENT_SCHEMAS`` (kind → schema) is published in the OpenAPI document.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from juki.client import SEXES
from juki.errors import InvalidQuery
from juki.events import CHANGE_FIELDS, EVENT_KINDS

__all__ = ["EVENT_ID", "EVENT_SCHEMAS", "FIELD_SCHEMAS", "KIND_FIELDS", "RESIDENT_ID", "event_schema",
           "validate_event"]

ONE_LINE = r"^[^\x00-\x1f\x7f]*$"  # no control characters (no NUL, newline, tab)
KANA = r"^[\u30a0-\u30ff\u3000 ]+$"  # full-width katakana, 氏 and 名 separated by a space
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
EVENT_ID = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^[!-~]+$",
            "description": "印字可能なASCII文字（空白なし）100文字以内"}
# ISO 8601 date and time; the offset may be left out (then it is UTC, as every stored time).
RECORDED_AT = {"type": "string", "maxLength": 40,
               "pattern": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$"}
RESIDENT_ID = {"type": "string", "minLength": 1, "maxLength": 40, "pattern": r"^[0-9A-Za-z][0-9A-Za-z_-]*$",
               "description": "英数字40文字以内"}


def _text(max_length: int, pattern: str = ONE_LINE) -> dict:
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": pattern}


# Each field's value (the register's column widths: juki/models.py; the 原票 holds at least as much).
FIELD_SCHEMAS: dict[str, dict] = {
    "name": _text(100),
    "kana": _text(100, KANA),
    "address": _text(200),
    "household_id": _text(20, r"^[0-9A-Za-z-]+$"),
    "relationship": _text(20),
    "status": {"type": "string", "enum": ["resident", "moved_out", "deceased"]},
    "status_date": DATE,
    "common_name": _text(100),
    "old_surname": _text(50),
    "lacks_capacity": {"type": "boolean"},
    "birth_date": DATE,
    "sex": {"type": "string", "enum": list(SEXES)},
    "katakana_name": _text(100, KANA),
}
NULLABLE_AFTER = ("status_date", "common_name", "old_surname", "katakana_name")  # values the register may clear
_ARRIVAL = ("move_in", "special_move_in", "birth")
_LEAVING = ("move_out", "death", "removal_by_office")
# Which fields each kind may carry in ``changes`` (a cancellation undoes any of them; an arrival announces all).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    **{kind: CHANGE_FIELDS for kind in (*_ARRIVAL, "cancellation")},
    **{kind: ("status", "status_date", "address") for kind in _LEAVING},
    "move_within": ("address", "household_id", "relationship"),
    "address_renamed": ("address",),
    "name_change": ("name", "kana", "old_surname"),
    "common_name_set": ("common_name",),
    "common_name_cleared": ("common_name",),
    "household_change": ("household_id", "relationship", "address"),
    "guardianship_started": ("lacks_capacity",),
    "record_corrected": ("birth_date", "sex"),
    "kana_changed": ("kana",),
    "katakana_name_changed": ("katakana_name",),
}
LABELS = {"event_id": "通知ID", "kind": "異動の種類", "resident_id": "住民ID", "effective_date": "異動日",
          "recorded_at": "記録日時", "changes": "変更内容", "cancels_event_id": "取り消す通知ID",
          "name": "氏名", "kana": "カナ", "address": "住所", "household_id": "世帯番号", "relationship": "続柄",
          "status": "状態", "status_date": "状態の日付", "common_name": "通称", "old_surname": "旧氏",
          "lacks_capacity": "意思能力", "birth_date": "生年月日", "sex": "性別", "katakana_name": "カタカナ表記",
          "before": "変更前", "after": "変更後"}
_SURROGATE = re.compile("[\ud800-\udfff]")


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def _change(kind: str, field: str) -> dict:
    value = FIELD_SCHEMAS[field]
    after = _nullable(value) if kind in ("cancellation", "common_name_cleared") or field in NULLABLE_AFTER \
        else value
    return {"type": "object", "properties": {"before": _nullable(value), "after": after},
            "required": ["after"], "additionalProperties": False}


@cache
def event_schema(kind: str) -> dict:
    """The JSON Schema (2020-12) of one event kind."""
    cancels = EVENT_ID if kind == "cancellation" else {"type": "null"}
    return {
        "type": "object",
        "title": f"{kind}（{EVENT_KINDS[kind]}）",
        "properties": {
            "event_id": EVENT_ID, "kind": {"const": kind}, "resident_id": RESIDENT_ID, "effective_date": DATE,
            "recorded_at": RECORDED_AT,
            "changes": {"type": "object", "properties": {f: _change(kind, f) for f in KIND_FIELDS[kind]},
                        "additionalProperties": False},
            "cancels_event_id": cancels,
        },
        "required": ["event_id", "kind", "resident_id", "effective_date", "recorded_at",
                     *(["cancels_event_id"] if kind == "cancellation" else [])],
    }


EVENT_SCHEMAS: dict[str, dict] = {kind: event_schema(kind) for kind in EVENT_KINDS}


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(event_schema(kind), format_checker=FormatChecker())


def validate_event(data: Any) -> None:
    """Check one event's JSON against the schema of its kind; raise InvalidQuery naming the first problem."""
    if not isinstance(data, dict):
        raise InvalidQuery("異動通知はJSONオブジェクトで送ってください。")
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in EVENT_KINDS:
        shown = str(kind)[:40] if isinstance(kind, str) else type(kind).__name__
        raise InvalidQuery(f"異動の種類（kind）「{shown}」は扱えません。")
    error = next(iter(sorted(_validator(kind).iter_errors(data), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        raise InvalidQuery(_message(error))
    if _has_surrogate(data):
        raise InvalidQuery("異動通知に使用できない文字（サロゲート）が含まれています。")


def _message(error: ValidationError) -> str:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = next((name for name in error.validator_value if name not in error.instance), "")
        path.append(missing)
    if error.validator == "additionalProperties" and path[-1:] == ["changes"]:
        return "異動通知の変更内容（changes）に、この異動の種類では扱えない項目があります。"
    where = "・".join(LABELS.get(p, p) for p in path) or "本文"
    reason = {"required": "がありません", "type": "の型が正しくありません", "maxLength": "が長すぎます",
              "minLength": "が空です", "pattern": "に使用できない文字が含まれています",
              "format": "の日付の形式が正しくありません", "enum": "の値が正しくありません",
              "const": "の値が正しくありません"}.get(str(error.validator), "の形式が正しくありません")
    if error.validator == "anyOf":  # a nullable value: say why the non-null branch refused it
        reason = "の型または内容が正しくありません"
    return f"異動通知の項目「{where}」（{'.'.join(path)}）{reason}。"


def _has_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
