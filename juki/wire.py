"""JSON shapes of the register's HTTP contract (docs/juki/openapi.yaml), shared by the server and the client.

Dates travel as ISO strings; a resident is an object with exactly the ``Resident`` fields.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from juki.client import Resident, ResidentQuery
from juki.errors import InvalidQuery, JukiUnavailable

RESIDENT_FIELDS = tuple(field.name for field in dataclasses.fields(Resident))
QUERY_PARAMS = ("kana", "name", "birth_date", "address", "resident_id", "household_id")


def resident_to_json(resident: Resident) -> dict[str, Any]:
    values = dataclasses.asdict(resident)
    values["birth_date"] = resident.birth_date.isoformat()
    values["status_date"] = resident.status_date.isoformat() if resident.status_date else None
    return values


def resident_from_json(data: Any) -> Resident:
    """Parse a resident object; raises JukiUnavailable when the register sent something else."""
    if not isinstance(data, dict) or set(RESIDENT_FIELDS) - set(data):
        raise JukiUnavailable("住民記録システムの応答（住民）の形式が正しくありません。")
    values = {name: data[name] for name in RESIDENT_FIELDS}
    try:
        values["birth_date"] = date.fromisoformat(values["birth_date"])
        values["status_date"] = date.fromisoformat(values["status_date"]) if values["status_date"] else None
    except (TypeError, ValueError) as exc:
        raise JukiUnavailable("住民記録システムの応答の日付の形式が正しくありません。") from exc
    return Resident(**values)


def query_to_params(query: ResidentQuery) -> dict[str, str]:
    """The query string of GET /residents for a query (criteria left out when not given)."""
    params = {name: str(getattr(query, name)) for name in QUERY_PARAMS if getattr(query, name) is not None}
    if isinstance(query.birth_date, date):
        params["birth_date"] = query.birth_date.isoformat()
    params.update(include_former="true" if query.include_former else "false", limit=str(query.limit),
                  offset=str(query.offset))
    if query.after:
        params["after"] = query.after
    return params


def query_from_params(args: Any) -> ResidentQuery:
    """The query of a GET /residents request; raises InvalidQuery for a malformed date or paging value."""
    values: dict[str, Any] = {name: args.get(name) or None for name in QUERY_PARAMS}
    if values["birth_date"] is not None:
        try:
            values["birth_date"] = date.fromisoformat(values["birth_date"])
        except ValueError:
            raise InvalidQuery("生年月日は 2000-01-31 の形式で指定してください。") from None
    return ResidentQuery(**values, include_former=args.get("include_former") == "true",
                         limit=_integer(args.get("limit"), 50), offset=_integer(args.get("offset"), 0),
                         after=(args.get("after") or "").strip()[:40] or None)


def _integer(value: str | None, default: int) -> int:
    if value in (None, ""):
        return default
    if not (value.isascii() and value.lstrip("-").isdigit()):
        raise InvalidQuery("表示件数・開始位置は整数で指定してください。")
    return int(value)
