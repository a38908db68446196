"""API views over batch printing: recording that printed 照会書兼回答書 were mailed (4.1.4.6 accepts an answer only
for a letter marked mailed)."""

from __future__ import annotations

from datetime import date

from flask import jsonify

from handlers.services.mailing import mark_job_mailed, mark_mailed
from webui.api.access import require_roles
from webui.api.params import ApiError, json_body
from webui.auth.users import CLERK_ROLES
from webui.converters import MAX_ID
from webui.wiring import product

MAX_ITEMS = 500


def mark_letters_mailed():
    """{"item_ids": [...]} or {"job_id": n}, optional "mailed_on" (YYYY-MM-DD, default today) → the ids marked."""
    actor = require_roles(*CLERK_ROLES)
    body = json_body()
    item_ids, job_id, mailed_on = body.get("item_ids"), body.get("job_id"), _mailed_on(body.get("mailed_on"))
    if (item_ids is None) == (job_id is None):
        raise ApiError(422, "invalid_body", "item_ids か job_id のどちらか一方を指定してください")
    with product().session_factory.begin() as session:
        if job_id is not None:
            marked = mark_job_mailed(session, product().services, _id(job_id, "job_id"), mailed_on=mailed_on,
                                     actor=actor)
        else:
            marked = mark_mailed(session, product().services, _ids(item_ids), mailed_on=mailed_on, actor=actor)
    return jsonify({"mailed": marked, "mailed_on": (mailed_on or product().services.today()).isoformat()})


def _ids(value) -> list[int]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_ITEMS:
        raise ApiError(422, "invalid_body", f"item_ids は1〜{MAX_ITEMS}個の帳票番号の配列で指定してください",
                       fields={"item_ids": "帳票番号の配列"})
    return [_id(item, "item_ids") for item in value]


def _id(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ApiError(422, "invalid_body", f"{name} は正の整数で指定してください", fields={name: "正の整数"})
    return value


def _mailed_on(value) -> date | None:
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise TypeError(value)
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ApiError(422, "invalid_body", "mailed_on は YYYY-MM-DD で指定してください",
                       fields={"mailed_on": "YYYY-MM-DD"}) from None
