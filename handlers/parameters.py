"""What each service-task operator accepts: one declarative, JSON-Schema-like schema per parameter.

A definition passes parameters as CEL expressions (engine.library.definition_expressions). When saving or deploying a
definition, a parameter the operator does not declare is refused, and a constant expression (`30`, `'self'`,
`true`) is checked against its schema here, so `deadline_days = 0` is refused with the element outlined in the
modeler instead of failing in a running case. Values computed from case data are checked by the handlers.

The vocabulary is a small subset of JSON Schema: type (string, integer, number, boolean, object, array),
nullable, minimum, maximum, exclusiveMinimum, enum, minLength, maxLength, pattern; `title` names the parameter in
messages. Which parameters are required follows the handler's signature (no default → required); the names here
and in the signature must agree (HandlerRegistry.register refuses a declaration that does not).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["PARAMETERS", "TYPE_WORDS", "schema_from_annotation", "value_problem"]

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
OBJECT = {"type": "object"}
ARRAY = {"type": "array"}
OPTIONAL_STRING = {"type": "string", "nullable": True}
OPTIONAL_INTEGER = {"type": "integer", "nullable": True}
OPTIONAL_NUMBER = {"type": "number", "nullable": True}
OPTIONAL_BOOLEAN = {"type": "boolean", "nullable": True}
OPTIONAL_ARRAY = {"type": "array", "nullable": True}
OPTIONAL_OBJECT = {"type": "object", "nullable": True}
ROW_ID = {"type": "integer", "minimum": 1}  # a registration, application, impression or history row
CARD_KIND = {"type": "string", "enum": ["registration_card", "mynumber_card"], "title": "登録証の種類"}
APPLICANT = {"type": "string", "enum": ["self", "proxy"], "title": "申請者（本人・代理人）"}
DPI = {"type": "number", "minimum": 72, "maximum": 2400, "title": "読取解像度（dpi）"}

PARAMETERS: dict[str, dict[str, dict[str, Any]]] = {
    "inkan.abolition.abolish": {
        "registration_id": ROW_ID,
        "request_kind": {"type": "string", "enum": ["return", "lost", "lost_phone"], "title": "届出の種類"},
        "applicant": APPLICANT,
        "lost_item": OPTIONAL_STRING,
        "identity_document": OPTIONAL_STRING,
        "card_collected": OPTIONAL_BOOLEAN,
    },
    "inkan.abolition.check_identity": {
        "registration_id": ROW_ID,
        "request_kind": {"type": "string", "enum": ["return", "lost", "lost_phone"], "title": "届出の種類"},
        "applicant": APPLICANT,
        "identity_checked": OPTIONAL_BOOLEAN,
        "power_of_attorney": OPTIONAL_BOOLEAN,
        "card_collected": OPTIONAL_BOOLEAN,
    },
    "inkan.abolition.check_phone_report": {
        "registration_id": ROW_ID,
        "stated_birth_date": OPTIONAL_STRING,
        "address_answered": OPTIONAL_BOOLEAN,
    },
    "inkan.abolition.find": {
        "resident_id": OPTIONAL_STRING,
        "card_number": OPTIONAL_STRING,
    },
    "inkan.abolition.refusal": {
        "reason": STRING,
        "detail": OPTIONAL_STRING,
    },
    "inkan.abolition.start_suspension": {
        "registration_id": ROW_ID,
        "lost_item": OPTIONAL_STRING,
        "caller": OPTIONAL_STRING,
        "caller_name": OPTIONAL_STRING,
    },
    "inkan.application.refer_to_inquiry": {
        "reason": STRING,
        "resident_id": OPTIONAL_STRING,
        "applicant": {**APPLICANT, "nullable": True},
        "detail": OPTIONAL_STRING,
    },
    "inkan.application.refuse": {
        "reason": STRING,
        "detail": OPTIONAL_STRING,
        "resident_id": OPTIONAL_STRING,
        "kind": {"type": "string", "enum": ["4.1.2", "4.1.4"], "title": "却下する申請の機能"},
        "impression_id": {**ROW_ID, "nullable": True},
    },
    "inkan.card.issue": {
        "registration_id": ROW_ID,
        "card_kind": CARD_KIND,
        "card_number": OPTIONAL_STRING,
        "mynumber_cert_serial": OPTIONAL_STRING,
    },
    "inkan.card_exchange.exchange": {
        "registration_id": ROW_ID,
        "card_kind": CARD_KIND,
        "returned_card": STRING,
        "new_card_number": OPTIONAL_STRING,
        "mynumber_cert_serial": OPTIONAL_STRING,
    },
    "inkan.card_exchange.find": {
        "identity_document": STRING,
        "card_number": OPTIONAL_STRING,
        "resident_id": OPTIONAL_STRING,
    },
    "inkan.certificate.check_request": {
        "resident_id": STRING,
        "card_kind": CARD_KIND,
        "copies": {"type": "integer", "minimum": 1, "maximum": 10, "title": "交付通数"},
        "card_number": OPTIONAL_STRING,
        "mynumber_cert_serial": OPTIONAL_STRING,
    },
    "inkan.certificate.issue_counter": {
        "registration_id": ROW_ID,
        "copies": {"type": "integer", "minimum": 1, "maximum": 10, "title": "交付通数"},
        "resident_id": OPTIONAL_STRING,
        "card_kind": {**CARD_KIND, "nullable": True},
        "applicant": {**APPLICANT, "nullable": True},
    },
    "inkan.certificate.record_refusal": {
        "reason": STRING,
        "copies": {"type": "integer", "minimum": 1, "maximum": 10, "title": "交付通数", "nullable": True},
        "resident_id": OPTIONAL_STRING,
        "card_kind": {**CARD_KIND, "nullable": True},
        "applicant": {**APPLICANT, "nullable": True},
        "registration_id": {**ROW_ID, "nullable": True},
    },
    "inkan.impression.check_shown_name": {
        "resident_id": STRING,
        "impression_decision": OPTIONAL_STRING,
        "impression_name": OPTIONAL_STRING,
        "household": OPTIONAL_OBJECT,  # the 4.1.1.1 household comparison: 登録可 is refused on a 同一 seal
        "household_unsure_reason": OPTIONAL_STRING,  # required for 登録可 when a household seal is 要確認
    },
    "inkan.impression.compare_household": {
        "resident_id": STRING,
        "impression_blob_id": STRING,
        "mm_per_px": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "title": "1画素の大きさ（mm）"},
    },
    "inkan.impression.compare_pending": {
        "impression_blob_id": STRING,
        "mm_per_px": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "title": "1画素の大きさ（mm）"},
        "pending_impression_id": ROW_ID,
    },
    "inkan.impression.measure": {
        "scan_blob_id": STRING,
        "dpi": {**DPI, "nullable": True},
    },
    "inkan.impression.store": {
        "resident_id": STRING,
        "impression": OBJECT,
        "override_reason": OPTIONAL_STRING,
    },
    "inkan.inquiry.check_answer": {
        "application_id": ROW_ID,
        "inquiry_number": STRING,
        "deadline_at": STRING,
        "answer": STRING,
        "bearer": OPTIONAL_STRING,
        "bearer_identity_checked": OPTIONAL_BOOLEAN,
        "power_of_attorney": OPTIONAL_BOOLEAN,
    },
    "inkan.inquiry.issue": {
        "resident_id": STRING,
        "impression_id": ROW_ID,
        "applicant": APPLICANT,
        "inquiry_reason": OPTIONAL_STRING,
        "deadline_days": {"type": "integer", "minimum": 1, "maximum": 365, "nullable": True, "title": "照会書発行日から回答期限までの日数"},
    },
    "inkan.inquiry.lapse": {
        "application_id": ROW_ID,
        "reason": STRING,
        "detail": OPTIONAL_STRING,
    },
    "inkan.inquiry.refuse_answer": {
        "application_id": ROW_ID,
        "reason": STRING,
        "detail": OPTIONAL_STRING,
        "inquiry_number": OPTIONAL_STRING,
    },
    "inkan.instance.cancel": {
        "reason": STRING,
    },
    "inkan.massho.close": {
        "registration_id": ROW_ID,
        "reason": STRING,
        "reason_detail": OPTIONAL_STRING,
    },
    "inkan.massho.find": {
        "search_by": STRING,
        "resident_id": OPTIONAL_STRING,
        "registration_number": OPTIONAL_STRING,
    },
    "inkan.pin.change": {
        "registration_id": ROW_ID,
        "new_pin": STRING,
        "old_pin": OPTIONAL_STRING,
    },
    "inkan.pin.reset": {
        "registration_id": ROW_ID,
        "new_pin": STRING,
    },
    "inkan.pin.set": {
        "registration_id": ROW_ID,
        "new_pin": OPTIONAL_STRING,
    },
    "inkan.print.closed_record_sheet": {
        "registration_id": ROW_ID,
    },
    "inkan.print.confirmation_sheet": {
        "registration_id": ROW_ID,
        "reprint_reason": OPTIONAL_STRING,
    },
    "inkan.print.enqueue": {
        "document": {"type": "string", "enum": ["deletion_notice", "inquiry_letter"], "title": "帳票"},
        "registration_id": {**ROW_ID, "nullable": True},
        "application_id": {**ROW_ID, "nullable": True},
        "inquiry_number": OPTIONAL_STRING,
        "answer_deadline": OPTIONAL_STRING,
        "postcode": OPTIONAL_STRING,
    },
    "inkan.registry.accept_guarantee": {
        "guarantor_registration_number": STRING,
        "resident_id": STRING,
        "decision": STRING,
        "decision_reason": OPTIONAL_STRING,
        "score": {"type": "number", "minimum": 0, "maximum": 1, "title": "類似度", "nullable": True},
    },
    "inkan.registry.check_guarantor": {
        "guarantor_registration_number": OPTIONAL_STRING,
        "resident_id": STRING,
        "stamp_blob_id": OPTIONAL_STRING,
        "stamp_dpi": {**DPI, "nullable": True},
    },
    "inkan.registry.inquire": {
        "resident_id": STRING,
    },
    "inkan.registry.register": {
        "resident_id": STRING,
        "impression_id": ROW_ID,
        "identity_path": STRING,
        "photo_id_kind": OPTIONAL_STRING,
        "guarantor_registration_number": OPTIONAL_STRING,
        "impression_name": OPTIONAL_STRING,
    },
    "inkan.rendou.close": {
        "event": OBJECT,
        "decision": OPTIONAL_STRING,
        "decision_reason": OPTIONAL_STRING,
    },
    "inkan.rendou.correct": {
        "event": OBJECT,
        "name_decision": OPTIONAL_STRING,
        "decision_reason": OPTIONAL_STRING,
    },
    "inkan.rendou.name_check": {
        "event": OBJECT,
    },
    "inkan.rendou.undo": {
        "event": OBJECT,
    },
    "inkan.shusei.correct": {
        "proposal": OBJECT,
    },
    "inkan.shusei.find": {
        "resident_id": STRING,
    },
    "inkan.shusei.prepare": {
        "registration_id": ROW_ID,
        "correction_reason": STRING,
        "values": OBJECT,
        "reason_note": OPTIONAL_STRING,
        "clear_fields": OPTIONAL_ARRAY,
    },
    "inkan.suspension.find": {
        "resident_id": STRING,
    },
    "inkan.suspension.lift": {
        "resident_id": STRING,
        "in_person": BOOLEAN,
        "identity_document": OPTIONAL_STRING,
        "note": OPTIONAL_STRING,
    },
    "inkan.suspension.suspend": {
        "resident_id": STRING,
        "channel": STRING,
        "reason_kind": STRING,
        "suspended_from": STRING,
        "suspended_until": OPTIONAL_STRING,
        "reason_detail": OPTIONAL_STRING,
        "caller_name": OPTIONAL_STRING,
        "identity_answers": OPTIONAL_ARRAY,
        "identity_document": OPTIONAL_STRING,
    },
    "inkan.torikeshi.cancel": {
        "proposal": OBJECT,
    },
    "inkan.torikeshi.find": {
        "registration_number": OPTIONAL_STRING,
        "resident_id": OPTIONAL_STRING,
    },
    "inkan.torikeshi.prepare": {
        "registration_id": ROW_ID,
        "entry_id": ROW_ID,
        "cancel_reason": STRING,
    },
}

TYPE_WORDS = {"string": "文字列", "integer": "整数", "number": "数値", "boolean": "真偽値（true / false）",
              "object": "オブジェクト", "array": "リスト"}
_ANNOTATION_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "dict": "object",
                     "list": "array"}


def schema_from_annotation(annotation: Any, default_is_none: bool) -> dict[str, Any]:
    """The plain type of a parameter no declaration covers (an operator added without one), from its annotation."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    parts = [part.strip() for part in text.split("|")]
    kinds = [_ANNOTATION_TYPES[p] for p in parts if p in _ANNOTATION_TYPES]
    schema: dict[str, Any] = {"type": kinds[0]} if len(kinds) == 1 else {}
    if "None" in parts or default_is_none:
        schema["nullable"] = True
    return schema


def value_problem(schema: Mapping[str, Any], value: Any) -> str | None:
    """Why `value` does not fit `schema` (Japanese, for the manager), or None when it fits."""
    if value is None:
        return None if schema.get("nullable") or not schema else "値がありません（null）"
    kind = schema.get("type")
    if kind and not _is(kind, value):
        return f"{TYPE_WORDS.get(kind, kind)}で指定してください（{_shown(value)} が指定されています）"
    if "enum" in schema and value not in schema["enum"]:
        allowed = "、".join(_shown(v) for v in schema["enum"])
        return f"{allowed} のいずれかを指定してください（{_shown(value)} が指定されています）"
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = schema.get("minimum"), schema.get("maximum")
        above = schema.get("exclusiveMinimum")
        if (low is not None and value < low) or (high is not None and value > high) \
                or (above is not None and value <= above):
            return f"{_range_words(schema)}で指定してください（{_shown(value)} が指定されています）"
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", math.inf):
            return f"{schema.get('minLength', 0)}〜{schema.get('maxLength', '')}文字で指定してください"
        if "pattern" in schema and not re.fullmatch(schema["pattern"], value):
            return f"形式が正しくありません（{_shown(value)} が指定されています）"
    return None


def _is(kind: str, value: Any) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, {"string": str, "boolean": bool, "object": dict, "array": list}.get(kind, object))


def _range_words(schema: Mapping[str, Any]) -> str:
    kind = TYPE_WORDS.get(schema.get("type", "number"), "数値")
    low, high, above = schema.get("minimum"), schema.get("maximum"), schema.get("exclusiveMinimum")
    if low is not None and high is not None:
        return f"{low}〜{high}の{kind}"
    if above is not None:
        return f"{above}より大きい{kind}" + (f"（{high}以下）" if high is not None else "")
    if low is not None:
        return f"{low}以上の{kind}"
    return f"{high}以下の{kind}"


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
