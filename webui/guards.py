"""Request guards applied to every route before it runs: the characters and the shape of what a client sends.

Every text of a request — path, query string, form fields and file names, JSON strings and keys, any other body —
is refused with 400 ``invalid_character`` when it holds NUL (PostgreSQL text cannot store it, nobody types it) or
is not valid UTF-8 / holds a lone surrogate (``"\\ud800"`` in JSON; PostgreSQL and the PDF fonts refuse it).
JSON nested deeper than MAX_JSON_DEPTH is refused (400 ``json_too_deep``) before it is parsed, so a 50,000-level
body costs one scan and never reaches the recursive parser.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote_to_bytes

from flask import Flask, request

from webui.refusals import RequestRefused

__all__ = ["MAX_JSON_DEPTH", "json_depth", "refuse_bad_input", "register_guards"]

MAX_JSON_DEPTH = 64
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NUL_MESSAGE = "入力に使用できない文字（NUL）が含まれています"
ENCODING_MESSAGE = "入力に使用できない文字（UTF-8 として正しくない文字・サロゲート）が含まれています"
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def _nul() -> RequestRefused:
    return RequestRefused(400, "invalid_character", NUL_MESSAGE)


def _bad_encoding() -> RequestRefused:
    return RequestRefused(400, "invalid_character", ENCODING_MESSAGE)


def check_text(text: str) -> None:
    """Raise RequestRefused 400 when `text` holds NUL or a lone surrogate."""
    if "\x00" in text:
        raise _nul()
    if _SURROGATE.search(text):
        raise _bad_encoding()


def check_bytes(data: bytes) -> str:
    """`data` as UTF-8 text; raise RequestRefused 400 when it holds NUL or is not valid UTF-8."""
    if b"\x00" in data:
        raise _nul()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad_encoding() from None


def check_urlencoded(raw: bytes) -> None:
    """A query string or form body: every percent-decoded byte sequence must be NUL-free UTF-8."""
    check_bytes(unquote_to_bytes(raw.replace(b"+", b" ")))


def json_depth(raw: bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep the arrays / objects of a JSON text nest (strings skipped); stops counting past `limit`."""
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        else:
            depth -= 1
    return deepest


def check_json(raw: bytes) -> None:
    """Depth first (before parsing), then every string and key; invalid JSON is left to the endpoint (400)."""
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise RequestRefused(400, "json_too_deep", f"JSONの入れ子が深すぎます（{MAX_JSON_DEPTH}段まで）")
    try:
        document = json.loads(raw)
    except ValueError:
        return
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            check_text(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                check_text(key)
                stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)


def _check_body() -> None:
    if request.mimetype == "multipart/form-data":
        for name, value in request.form.items(multi=True):  # werkzeug decoded invalid UTF-8 as U+FFFD
            check_text(name + value)
            if "\ufffd" in value:
                raise _bad_encoding()
        for name, upload in request.files.items(multi=True):
            check_text(name + (upload.filename or ""))
        return
    raw = request.get_data(cache=True)
    if not raw.strip():
        return
    if request.mimetype == "application/x-www-form-urlencoded":
        check_urlencoded(raw)
        return
    check_bytes(raw)
    if request.is_json or raw.lstrip()[:1] in (b"{", b"["):
        check_json(raw)


def refuse_bad_input() -> None:
    """before_request: path, query string and body of every request (pages and API)."""
    check_bytes(request.environ.get("PATH_INFO", "").encode("latin-1", "replace"))
    check_urlencoded(request.query_string)
    if request.method in BODY_METHODS:
        _check_body()


def register_guards(app: Flask) -> None:
    app.before_request(refuse_bad_input)
