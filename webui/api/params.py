"""Parse API input: the JSON body (query parameters: webui/params.py); bad input raises ApiError."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from webui.params import (  # noqa: F401 — the API's views import them from here
    MAX_PAGE,
    MAX_PER_PAGE,
    bool_param,
    choice_param,
    int_param,
    page_params,
    text_param,
)
from webui.refusals import RequestRefused

ApiError = RequestRefused  # the API's name for it: status, code, Japanese message


def require_json_content() -> None:
    """A body sent as another type (text/plain, a form …) is refused with ApiError 415; JSON must be sent as
    application/json (or +json). A body without any Content-Type is read as JSON."""
    if request.get_data(cache=True).strip() and request.mimetype and not request.is_json:
        raise ApiError(415, "unsupported_media_type",
                       "本文は JSON で送ってください（Content-Type: application/json）")


def json_document(raw: bytes | None = None) -> Any:
    """The request's JSON body, any JSON value (None when empty); raise ApiError 400 / 415."""
    require_json_content()
    raw = request.get_data(cache=True) if raw is None else raw
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, "invalid_json", "リクエスト本文が正しいJSONではありません") from None


def json_body() -> dict[str, Any]:
    """The request's JSON object ({} when the body is empty); raise ApiError 400 / 415 / 422."""
    body = json_document()
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ApiError(422, "invalid_body", "リクエスト本文はJSONオブジェクトで送ってください")
    return body


def object_field(body: dict[str, Any], name: str) -> dict[str, Any]:
    """body[name] as an object ({} when absent or null); raise ApiError 422 when it is another type."""
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        message = f"{name} はJSONオブジェクトで指定してください"
        raise ApiError(422, "invalid_body", message, fields={name: message})
    return value


def string_field(body: dict[str, Any], name: str, *, max_length: int = 2000) -> str:
    """A required non-empty string of the body, at most max_length characters; raise ApiError 422."""
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        message = f"{name} を文字列で指定してください"
        raise ApiError(422, "invalid_body", message, fields={name: message})
    if len(value) > max_length:
        message = f"{name} は{max_length}文字以内で指定してください"
        raise ApiError(422, "too_long", message, fields={name: message})
    return value.strip()
