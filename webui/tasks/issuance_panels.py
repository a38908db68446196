"""Task panels of 6.1 証明書交付 and 6.2.1 / 6.2.2 一時停止・解除 (merged into webui.tasks.panels)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from registry.seals import records

__all__ = ["ISSUANCE_BUILDERS", "ISSUANCE_TITLES"]

ISSUANCE_TITLES = {
    "suspension_handover": "4.4.1.2 亡失の届出からの引継ぎ",
    "suspension": "6.2.1 一時停止の結果",
    "lifting": "6.2.2 解除の結果",
    "suspension_state": "6.2.1 現在の交付一時停止",
    "check": "6.1 交付の可否・手数料",
    "certificates": "6.1 発行した印鑑登録証明書",
}


def _handover(_session: Session, data: dict[str, Any], _name: str) -> dict | None:
    """What the flow that started this one (4.4.1.2 亡失) handed over: the reason and whether it came by phone."""
    if not data.get("reason") and not data.get("by_phone"):
        return None
    return {"reason": data.get("reason"), "by_phone": bool(data.get("by_phone")),
            "registration_number": data.get("registration_number"),
            "suspended_at_report": data.get("suspended_at_report"),
            "verified_answers": data.get("verified_answers")}


def _suspension_state(session: Session, data: dict[str, Any], _name: str) -> dict | None:
    """The registration's suspension period as it is now (live, not the task data's copy)."""
    resident_id = data.get("resident_id")
    record = records.active_registration_of(session, str(resident_id)) if resident_id else None
    if record is None:
        return None
    return {"registration_number": record.registration_number, "suspended_from": record.suspended_from,
            "suspended_until": record.suspended_until}


def _certificates(_session: Session, data: dict[str, Any], _name: str) -> dict | None:
    value = data.get("issuance")
    return {"value": value} if isinstance(value, dict) else None


ISSUANCE_BUILDERS = {
    "suspension_handover": _handover,
    "suspension_state": _suspension_state,
    "certificates": _certificates,
}
