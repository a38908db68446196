"""URL converters: a path id or text a route can never find is a 404 before any database query."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, UnicodeConverter

__all__ = ["MAX_ID", "MAX_PATH_TEXT", "install_converters"]

MAX_ID = 2**31 - 1  # every id column is a 32-bit integer (PostgreSQL `integer`)
MAX_PATH_TEXT = 200  # no resident id, number, process id or hash is longer
# 0 … 2147483647, digit by digit (leading zeros allowed, as werkzeug's own int converter does)
ID_REGEX = (r"(?:0*(?:[0-9]{1,9}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}"
            r"|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7]))")


class IdConverter(IntegerConverter):
    """``<int:…>``: a database id, 0 … MAX_ID; a negative, huge or non-numeric segment does not match (404).

    The range is in the regex itself: werkzeug checks a rule's method before its converter's value, so a bound
    checked only in to_python would answer ``PUT /tasks/2147483648`` with 405 instead of 404.
    """

    regex = ID_REGEX

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 0, max: int | None = MAX_ID,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class PathText(UnicodeConverter):
    """``<name>``: one path segment of at most MAX_PATH_TEXT characters."""

    def __init__(self, map, minlength: int = 1, maxlength: int | None = MAX_PATH_TEXT,
                 length: int | None = None) -> None:
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)


def install_converters(app: Flask) -> None:
    """Before any blueprint is registered: rules bind their converters when they are added."""
    app.url_map.converters.update(int=IdConverter, default=PathText, string=PathText)
