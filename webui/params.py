"""Query parameters of pages and the API: parsed once, bad values refused (400) with a Japanese message.

Nothing is silently ignored: a page number that is not a number, a size out of range or an unknown choice is
a RequestRefused(400, "invalid_parameter") naming the parameter.
"""

from __future__ import annotations

from flask import request

from webui.converters import MAX_ID
from webui.refusals import RequestRefused

__all__ = ["MAX_PAGE", "MAX_PER_PAGE", "MAX_QUERY_TEXT", "bool_param", "choice_param", "id_param", "int_param",
           "page_params", "text_param"]

MAX_PAGE = 100_000
MAX_PER_PAGE = 200
MAX_QUERY_TEXT = 200
TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off", "")


def invalid(name: str, message: str) -> RequestRefused:
    return RequestRefused(400, "invalid_parameter", message, fields={name: message})


def text_param(name: str, *, max_length: int = MAX_QUERY_TEXT) -> str | None:
    """A query parameter as stripped text, None when absent or blank; raise 400 when longer than max_length."""
    value = request.args.get(name, "").strip()
    if len(value) > max_length:
        raise invalid(name, f"{name} は{max_length}文字以内で指定してください")
    return value or None


def int_param(name: str, default: int, *, minimum: int = 1, maximum: int) -> int:
    """An integer query parameter within bounds (absent or blank: default); raise 400."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 12:
        raise invalid(name, f"{name} は{minimum}〜{maximum}の整数で指定してください")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise invalid(name, f"{name} は{minimum}〜{maximum}の範囲で指定してください")
    return value


def id_param(name: str, values=None) -> int | None:
    """An optional id (1 … MAX_ID) from the query string (or `values`, e.g. request.form); raise 400."""
    raw = (values if values is not None else request.args).get(name, "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10 or not 1 <= int(raw) <= MAX_ID:
        raise invalid(name, f"{name} はID（1以上の整数）で指定してください")
    return int(raw)


def bool_param(name: str) -> bool:
    """A true/false query parameter (absent = false); raise 400."""
    raw = request.args.get(name, "").strip().lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise invalid(name, f"{name} は true または false で指定してください")


def choice_param(name: str, choices: tuple[str, ...]) -> str | None:
    """A query parameter that must be one of `choices` (None when absent); raise 400."""
    value = text_param(name)
    if value is not None and value not in choices:
        raise invalid(name, f"{name} は {' / '.join(choices)} のいずれかで指定してください")
    return value


def page_params(per_page_default: int = 50) -> tuple[int, int]:
    """(page, per_page) from the query; raise 400."""
    return (int_param("page", 1, maximum=MAX_PAGE),
            int_param("per_page", per_page_default, maximum=MAX_PER_PAGE))
