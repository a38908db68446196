"""Context panels of a task page (ui.show): what the service tasks found, ready for the templates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from juki import JukiError
from registry.seals import records
from registry.seals.models import Impression
from webui.residents.images import true_size
from webui.wiring import product

__all__ = ["PANEL_TITLES", "Panel", "build_panels"]

PANEL_TITLES = {
    "resident": "申請者（住民記録）",
    "eligibility": "2.2.1 登録内容照会（登録資格）",
    "impression": "4.1.5.1 印影読込の結果",
    "household": "4.1.1.1 世帯内印影表示",
    "refusal": "却下の理由",
    "registration": "4.1.2.1 即時登録（1.3.2 印鑑登録番号）",
    "card": "5.2 印鑑登録証／5.4 個人番号カード",
    "confirmation": "4.1.2.2 印鑑登録原票確認票",
    "guarantor": "保証人の確認（保証書）",
    "referral": "4.1.4 照会による登録へ",
}


@dataclass
class Panel:
    name: str
    title: str
    context: dict[str, Any]


def build_panels(session: Session, names: list[str], data: dict[str, Any]) -> list[Panel]:
    """One panel per name in ui.show that has something to show."""
    panels = []
    for name in names:
        builder = BUILDERS.get(name, _plain)
        context = builder(session, data, name)
        if context is not None:
            panels.append(Panel(name, PANEL_TITLES.get(name, name), context))
    return panels


def _plain(_session: Session, data: dict[str, Any], name: str) -> dict | None:
    value = data.get(name)
    return {"value": value} if isinstance(value, dict) else None


def _resident(session: Session, data: dict[str, Any], _name: str) -> dict | None:
    """The person from the register (live), falling back on the copy the 2.2.1 inquiry left in the data."""
    resident_id = data.get("resident_id") or ((data.get("eligibility") or {}).get("resident") or {}).get(
        "resident_id")
    if not resident_id:
        return None
    register = product().juki(session)
    try:
        person = register.get_resident(str(resident_id))
        members = register.household_members(person.household_id) if person else []
    except JukiError:
        person, members = None, []
    if person is None:
        copy = (data.get("eligibility") or {}).get("resident")
        return {"person": _from_copy(copy), "members": [], "resident_id": resident_id} if copy else \
            {"person": None, "members": [], "resident_id": resident_id}
    return {"person": person, "members": members, "resident_id": resident_id}


def _from_copy(copy: dict) -> dict:
    return copy | {"birth_date": date.fromisoformat(copy["birth_date"]) if copy.get("birth_date") else None,
                   "relationship": None}


def _impression(session: Session, data: dict[str, Any], _name: str) -> dict | None:
    value = data.get("impression")
    if not isinstance(value, dict):
        return None
    return {"value": value, "image": true_size(session, value.get("impression_blob_id"), value.get("mm_per_px")),
            "annotated_blob_id": value.get("annotated_blob_id")}


def _household(session: Session, data: dict[str, Any], _name: str) -> dict | None:
    """4.1.1.1: the new impression beside each household member's registered one, all at true size."""
    value = data.get("household")
    if not isinstance(value, dict):
        return None
    impression = data.get("impression") or {}
    new_image = true_size(session, impression.get("impression_blob_id"), impression.get("mm_per_px"))
    members = [member | {"image": _member_image(session, member)} for member in value.get("members", [])]
    members.sort(key=lambda m: -float(m.get("score") or 0.0))  # most similar first (older data too)
    return {"value": value, "members": members, "new_image": new_image}


def _member_image(session: Session, member: dict):
    record = records.registration_by_number(session, member.get("registration_number") or "")
    stored = session.get(Impression, record.impression_id) if record else None
    return true_size(session, member.get("impression_blob_id"), stored.mm_per_px if stored else None)


BUILDERS: dict[str, Callable[[Session, dict, str], dict | None]] = {
    "resident": _resident,
    "impression": _impression,
    "household": _household,
}
