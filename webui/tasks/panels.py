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
from registry.seals.office_changes import OFFICE_CLOSE_REASONS
from webui.residents.images import true_size
from webui.tasks.issuance_panels import ISSUANCE_BUILDERS, ISSUANCE_TITLES
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
    "inquiry": "4.1.4.2 照会書（照会番号・回答期限）",
    "answer_refusal": "4.1.4.6 回答書の不受理",
    "comparison": "4.1.4.6 申請時の印影との照合",
    "lapse": "4.1.4 申請の失効",
    "name_check": "4.3.2 氏名変更: 登録印影と変更前後の氏名",
    "massho_target": "4.2.1 職権抹消の対象（2.2.1 登録内容照会）",
    "haishi_registration": "2.2.1 登録内容照会（廃止・亡失の対象の印鑑登録）",
    "haishi_refusal": "4.4.1 不受理の理由",
    "shusei_target": "2.2.1 登録内容照会（修正する原票の現在の記載）",
    "shusei_change": "4.3.1 職権修正: 修正前・修正後",
    "torikeshi_target": "2.2.1 登録内容照会（原票の異動履歴）",
    "torikeshi_change": "4.5 異動の取消し: 取消し前・取消し後",
    "hikikae_target": "5.3 引換交付の対象（2.1.3 基本検索）",
    "hikikae_card": "5.3 引換交付（新しい登録証）",
    "pin_change": "5.2.4 暗証番号の照合・設定",
    "pin_reset": "5.2.4 暗証番号の再設定",
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


def _name_check(session: Session, data: dict[str, Any], _name: str) -> dict | None:
    """4.3.2: the registered impression at true size beside the old and the new name."""
    value = data.get("name_check")
    if not isinstance(value, dict) or not value.get("active"):
        return None
    return {"value": value, "image": true_size(session, value.get("impression_blob_id"), value.get("mm_per_px"))}


def _comparison(session: Session, data: dict[str, Any], _name: str) -> dict | None:
    """4.1.4.6: the pending impression (scanned at application) beside the seal brought with the answer."""
    value = data.get("comparison")
    if not isinstance(value, dict):
        return None
    pending, brought = data.get("impression") or {}, data.get("answer_impression") or {}
    return {"value": value,
            "pending_image": true_size(session, pending.get("impression_blob_id"), pending.get("mm_per_px")),
            "answer_image": true_size(session, brought.get("impression_blob_id"), brought.get("mm_per_px"))}


def _guarantor(session: Session, data: dict[str, Any], _name: str) -> dict | None:
    """保証書: the stamp on it beside the guarantor's registered impression, both at true size, and the overlay."""
    value = data.get("guarantor")
    if not isinstance(value, dict):
        return None
    return {"value": value,
            "stamp_image": true_size(session, value.get("stamp_impression_blob_id"), value.get("stamp_mm_per_px")),
            "registered_image": true_size(session, value.get("registered_impression_blob_id"),
                                          value.get("registered_mm_per_px"))}


def _massho_target(session: Session, data: dict[str, Any], _name: str) -> dict | None:
    """4.2.1: the record as it stands now (a 4.2.2 may have closed it meanwhile), its impression, the proposal."""
    found = data.get("registration")
    if not isinstance(found, dict):
        return None
    record = records.registration_by_number(session, found.get("registration_number") or "")
    stored = session.get(Impression, record.impression_id) if record else None
    return {"found": found, "record": record,
            "image": true_size(session, stored.image_blob, stored.mm_per_px) if stored else None,
            "reason": OFFICE_CLOSE_REASONS.get(data.get("reason") or ""), "detail": data.get("reason_detail"),
            "note": data.get("proposal_note"), "proposed": data.get("proposal") == "propose",
            "returned": data.get("return_reason") if data.get("decision") == "return" else None}


BUILDERS: dict[str, Callable[[Session, dict, str], dict | None]] = {
    "comparison": _comparison,
    "guarantor": _guarantor,
    "name_check": _name_check,
    "massho_target": _massho_target,
    "resident": _resident,
    "impression": _impression,
    "household": _household,
    "haishi_registration": lambda session, data, _name: _plain(session, data, "registration"),  # 4.4.1
    "haishi_refusal": lambda session, data, _name: _plain(session, data, "refusal"),  # 4.4.1
    **ISSUANCE_BUILDERS,  # 6.1 / 6.2
}
PANEL_TITLES.update(ISSUANCE_TITLES)
