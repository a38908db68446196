"""Parse API input: the JSON body and query parameters; bad input raises ApiError with a Japanese message."""

from __future__ import annotations

import json
from typing import Any

from flask import request

MAX_PER_PAGE = 200
TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off", "")


class ApiError(Exception):
    """A request the API refuses before any engine or registry call: HTTP status, code and Japanese message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def json_body() -> dict[str, Any]:
    """The request's JSON object ({} when the body is empty); raise ApiError 400 / 422."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, "invalid_json", "リクエスト本文が正しいJSONではありません") from None
    if not isinstance(body, dict):
        raise ApiError(422, "invalid_body", "リクエスト本文はJSONオブジェクトで送ってください")
    return body


def object_field(body: dict[str, Any], name: str) -> dict[str, Any]:
    """body[name] as an object ({} when absent or null); raise ApiError 422 when it is another type."""
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApiError(422, "invalid_body", f"{name} はJSONオブジェクトで指定してください")
    return value


def string_field(body: dict[str, Any], name: str) -> str:
    """A required non-empty string of the body; raise ApiError 422."""
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(422, "invalid_body", f"{name} を文字列で指定してください")
    return value.strip()


def text_param(name: str) -> str | None:
    """A query parameter as stripped text, None when absent or blank."""
    value = request.args.get(name, "").strip()
    return value or None


def int_param(name: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer query parameter within bounds; raise ApiError 400."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "invalid_parameter", f"{name} は整数で指定してください") from None
    if value < minimum or (maximum is not None and value > maximum):
        limit = f"{minimum}〜{maximum}" if maximum is not None else f"{minimum}以上"
        raise ApiError(400, "invalid_parameter", f"{name} は{limit}の範囲で指定してください")
    return value


def bool_param(name: str) -> bool:
    """A true/false query parameter (absent = false); raise ApiError 400."""
    raw = request.args.get(name, "").strip().lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise ApiError(400, "invalid_parameter", f"{name} は true または false で指定してください")


def choice_param(name: str, choices: tuple[str, ...]) -> str | None:
    """A query parameter that must be one of `choices` (None when absent); raise ApiError 400."""
    value = text_param(name)
    if value is not None and value not in choices:
        raise ApiError(400, "invalid_parameter", f"{name} は {' / '.join(choices)} のいずれかで指定してください")
    return value


def page_params() -> tuple[int, int]:
    """(page, per_page) from the query; per_page at most MAX_PER_PAGE; raise ApiError 400."""
    return int_param("page", 1), int_param("per_page", 50, maximum=MAX_PER_PAGE)
