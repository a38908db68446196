"""Task forms: a JSON Schema plus UI hints; submitted data is coerced, checked and completed here."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

from engine.errors import DefinitionError, FormInvalid


def check_form_document(name: str, document: Any) -> None:
    """Refuse a form file that is not {title, schema, ui?} with a valid 2020-12 JSON Schema; raise DefinitionError."""
    if not isinstance(document, dict) or not isinstance(document.get("schema"), dict):
        raise DefinitionError(f"フォーム {name} に schema がありません", source=name)
    try:
        Draft202012Validator.check_schema(document["schema"])
    except SchemaError as exc:
        raise DefinitionError(f"フォーム {name} の JSON Schema が不正です: {exc.message}", source=name) from None
    if document["schema"].get("type") != "object":
        raise DefinitionError(f"フォーム {name} の schema は object 型である必要があります", source=name)


def properties_of(document: dict) -> dict[str, dict]:
    return document["schema"].get("properties", {})


def coerce_form_input(document: dict, raw: dict[str, Any]) -> dict[str, Any]:
    """Turn HTML form strings into the schema's types; unknown keys are kept so validation can refuse them."""
    out: dict[str, Any] = {}
    props = properties_of(document)
    for key, value in raw.items():
        out[key] = _coerce(props.get(key, {}), value)
    return out


def _coerce(prop: dict, value: Any) -> Any:
    kind = prop.get("type")
    if isinstance(value, list) and kind != "array":
        value = value[-1] if value else None
    if isinstance(value, str):
        value = value.strip()
        if value == "" and kind != "boolean":
            return None
        if kind == "integer":
            return _number(value, int)
        if kind == "number":
            return _number(value, float)
        if kind == "boolean":
            return value.lower() in ("true", "on", "1", "yes")
    if kind == "array" and isinstance(value, str):
        return [value]
    return value


def _number(value: str, cast):
    try:
        return cast(value)
    except ValueError:
        return value  # left as text: validation reports it in Japanese


def validate_form(document: dict, data: dict[str, Any]) -> dict[str, Any]:
    """Check `data` against the form; return it with every schema property present (None when blank).

    Raises FormInvalid with a Japanese message per field.
    """
    cleaned = {k: v for k, v in data.items() if v is not None}
    validator = Draft202012Validator(document["schema"])
    errors: dict[str, str] = {}
    for error in sorted(validator.iter_errors(cleaned), key=lambda e: list(e.path)):
        field, message = _japanese(document, error)
        errors.setdefault(field, message)
    if errors:
        raise FormInvalid("入力内容に誤りがあります。赤字の項目を確認してください。", errors)
    return {key: cleaned.get(key) for key in properties_of(document)} | cleaned


def _title(document: dict, field: str) -> str:
    return properties_of(document).get(field, {}).get("title", field)


def _japanese(document: dict, error: ValidationError) -> tuple[str, str]:
    field = str(error.path[0]) if error.path else ""
    v = error.validator
    if v == "required":
        field = error.message.split("'")[1]
        return field, f"「{_title(document, field)}」は必須です"
    if v == "additionalProperties":
        extra = ", ".join(sorted(set(error.instance) - set(properties_of(document))))
        return "_form", f"フォームにない項目が送信されました: {extra}"
    title = _title(document, field)
    if v == "contains":  # an item the flow cannot go without (受け付けたもの: 申請書・印鑑)
        needed = (error.validator_value or {}).get("const")
        return field or "_form", f"「{title}」の「{_choice_title(document, field, needed)}」を確認してください（必須）"
    messages = {
        "type": f"「{title}」の形式が正しくありません",
        "enum": f"「{title}」は選択肢から選んでください",
        "oneOf": f"「{title}」は選択肢から選んでください",
        "const": f"「{title}」を確認してください",
        "pattern": f"「{title}」の書式が正しくありません",
        "minLength": f"「{title}」が短すぎます",
        "maxLength": f"「{title}」が長すぎます（{error.validator_value}文字以内）",
        "minimum": f"「{title}」は{error.validator_value}以上にしてください",
        "maximum": f"「{title}」は{error.validator_value}以下にしてください",
        "format": f"「{title}」の書式が正しくありません",
        "uniqueItems": f"「{title}」に重複があります",
    }
    return field or "_form", messages.get(v, f"「{title}」の入力内容が正しくありません")


def _choice_title(document: dict, field: str, value: Any) -> str:
    options = properties_of(document).get(field, {}).get("items", {}).get("oneOf", [])
    return next((o.get("title", str(value)) for o in options if o.get("const") == value), str(value))


def secret_fields(forms: dict[str, dict]) -> frozenset[str]:
    """Names of the fields marked writeOnly (a PIN …) in any of a definition's forms: masked in the audit log."""
    return frozenset(name for form in forms.values()
                     for name, prop in form.get("schema", {}).get("properties", {}).items() if prop.get("writeOnly"))
