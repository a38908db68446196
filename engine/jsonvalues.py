"""Plain JSON values: what task data, expressions and the audit may hold."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

__all__ = ["json_default", "plain_json"]


def json_default(value: Any) -> str:
    """Serialise dates as ISO strings; refuse anything else that JSON does not know."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def plain_json(value: Any) -> Any:
    """A copy of `value` made only of dict / list / str / int / float / bool / None (dates become ISO strings).

    Expressions see task data through this: no host object, method or attribute ever reaches them.
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(key): plain_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} は式に渡せる値ではありません")
