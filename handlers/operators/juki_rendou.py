"""Service tasks of 4.2.2 住民記録連動抹消 and 4.3.2 住民記録連動修正 (and the 回復 of a cancelled 転出 / 死亡).

Each handler takes the event the message start event delivered (task data ``event``: the register's
``ResidentEvent`` JSON plus the registration it concerns) and is idempotent: the event id is written into the
history entry, and an event already applied changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers.base import HandlerError, ServiceContext
from handlers.linkage.triage import CLOSING_KINDS
from handlers.linkage.types import ResidentEventMessage
from handlers.results import ClosedByEvent, CorrectedByEvent, KatakanaChange, NameChecked, UndoneByEvent
from juki.events import EVENT_KINDS
from registry.errors import NotEligible
from registry.seals import records
from registry.seals.changes import (
    CORRECTABLE_FIELDS,
    applied_event_ids,
    closed_by_event,
    correct_record,
    restore_record,
)
from registry.seals.models import Impression, RecordStatus, Registration

__all__ = ["OPERATORS", "close_by_event", "correct_by_event", "decision_entry", "name_check", "undo_by_event"]

NAME_MISMATCH = "（印影が氏名を表さない）"  # after the kind's label: 「氏名変更（印影が氏名を表さない）」
# Which register fields a kind changes, for an event that arrives without its ``changes``.
FIELDS_OF_KIND = {"move_within": ("address",), "address_renamed": ("address",), "household_change": ("household_id",),
                  "common_name_set": ("common_name",), "common_name_cleared": ("common_name",),
                  "name_change": ("name", "kana", "old_surname"), "record_corrected": ("birth_date", "sex"),
                  "kana_changed": ("kana",), "katakana_name_changed": ("katakana_name",)}


def close_by_event(ctx: ServiceContext, event: ResidentEventMessage, decision: str | None = None,
                   decision_reason: str | None = None) -> ClosedByEvent:
    """4.2.2 住民記録連動抹消: the active record becomes a 除票 with the event's reason (転出, 死亡 …).

    `decision` 'impression_mismatch' is the バックヤード's answer to a 氏名変更 (the impression no longer fits);
    its required reason goes into the history entry. Raise HandlerError decision_reason_missing without it.
    """
    record = _active(ctx, event)
    if record is None or event["event_id"] in applied_event_ids(ctx.session, record):
        return {"closed": False, "registration_id": None, "message": "有効な印鑑登録がないため、抹消する原票はありません。"}
    mismatch = decision == "impression_mismatch"
    reason = EVENT_KINDS[event["kind"]] + NAME_MISMATCH if mismatch else CLOSING_KINDS[event["kind"]]
    after = {"juki_event_id": event["event_id"]} | (decision_entry("mismatch", decision_reason) if mismatch else {})
    records.close_record(ctx.session, record, status=RecordStatus.DELETED, reason=reason, entry_reason=f"抹消（{reason}）",
                         effective=date.fromisoformat(event["effective_date"]), operator=ctx.actor,
                         instance_id=ctx.instance_id, after=after)
    ctx.name_subject(record)
    return {"closed": True, "registration_id": record.id, "registration_number": record.registration_number,
            "reason": reason, "closed_on": event["effective_date"],
            "message": f"登録番号 {record.registration_number} を抹消しました（{reason}）。"}


def correct_by_event(ctx: ServiceContext, event: ResidentEventMessage, name_decision: str | None = None,
                     decision_reason: str | None = None) -> CorrectedByEvent:
    """4.3.2 住民記録連動修正: copy the register's new address / name / 通称 / 世帯 onto the record.

    After a 氏名変更 the バックヤード's decision ('keep') and its required reason go into the history entry;
    raise HandlerError decision_reason_missing without the reason.
    """
    record = _active(ctx, event)
    if record is None or event["event_id"] in applied_event_ids(ctx.session, record):
        return {"corrected": False, "registration_id": None, "message": "修正する有効な印鑑登録がありません。"}
    values = _new_values(ctx, event)
    decided = decision_entry(name_decision, decision_reason) if name_decision else None
    entry = correct_record(ctx.session, record, values, reason=EVENT_KINDS[event["kind"]],
                           effective=date.fromisoformat(event["effective_date"]), event_id=event["event_id"],
                           operator=ctx.actor, instance_id=ctx.instance_id, extra_after=decided)
    ctx.name_subject(record)
    if entry is None:
        return {"corrected": False, "registration_id": record.id, "message": "原票の記載は既に住民記録と同じです。"}
    return {"corrected": True, "registration_id": record.id, "registration_number": record.registration_number,
            "message": f"登録番号 {record.registration_number} を修正しました（{EVENT_KINDS[event['kind']]}）。"}


def decision_entry(decision: str, reason: str | None) -> dict[str, str]:
    """The 氏名変更 decision as the history entry records it; raise HandlerError decision_reason_missing."""
    reason = (reason or "").strip()
    if not reason:
        raise HandlerError("氏名変更の判断には理由が必要です（判断の作業で理由を記入してください）",
                           code="decision_reason_missing")
    return {"name_decision": decision, "decision_reason": reason}


def name_check(ctx: ServiceContext, event: ResidentEventMessage) -> NameChecked:
    """4.3.2 氏名変更 / カタカナ表記の変更: the registered impression beside the old and new names (and カタカナ表記),
    for the バックヤード's decision."""
    record = _active(ctx, event)
    if record is None:
        return {"active": False, "message": "有効な印鑑登録がありません。"}
    impression = ctx.session.get_one(Impression, record.impression_id)
    change = event.get("changes", {})
    ctx.name_subject(record)
    return {"active": True, "registration_id": record.id, "registration_number": record.registration_number,
            "old_name": (change.get("name") or {}).get("before") or record.name,
            "new_name": (change.get("name") or {}).get("after") or record.name,
            "old_kana": (change.get("kana") or {}).get("before") or record.kana,
            "new_kana": (change.get("kana") or {}).get("after") or record.kana,
            **_katakana(change, record), "label": EVENT_KINDS.get(str(event.get("kind")), "氏名変更"),
            "impression_blob_id": impression.image_blob, "mm_per_px": impression.mm_per_px}


def undo_by_event(ctx: ServiceContext, event: ResidentEventMessage) -> UndoneByEvent:
    """異動の取消し: a cancelled 転出 / 死亡 restores its 除票 (a new entry); a cancelled 転居 … is corrected back."""
    if event.get("action") != "restore":
        corrected = correct_by_event(ctx, event)
        return {**corrected, "done": corrected["corrected"]}
    cancels = event["cancels_event_id"]  # set on every cancellation (juki.events.ResidentEvent.from_json)
    record = closed_by_event(ctx.session, event["resident_id"], cancels) if cancels else None
    if record is None or cancels is None:
        return {"done": False, "registration_id": None, "message": "回復する除票はありません。"}
    try:
        restore_record(ctx.session, record, effective=date.fromisoformat(event["effective_date"]),
                       event_id=event["event_id"], cancels_event_id=cancels, operator=ctx.actor,
                       instance_id=ctx.instance_id)
    except NotEligible as exc:
        return {"done": False, "registration_id": record.id, "message": exc.message}
    ctx.name_subject(record)
    return {"done": True, "registration_id": record.id, "registration_number": record.registration_number,
            "message": f"登録番号 {record.registration_number} を回復しました（{EVENT_KINDS['cancellation']}）。"}


def _katakana(change: dict[str, dict[str, Any]], record: Registration) -> KatakanaChange:
    """The カタカナ表記 before and after, when the event changes it."""
    if "katakana_name" not in change:
        return {}
    return {"old_katakana_name": change["katakana_name"].get("before") or record.katakana_name,
            "new_katakana_name": change["katakana_name"].get("after")}


def _active(ctx: ServiceContext, event: ResidentEventMessage) -> Registration | None:
    return records.active_registration_of(ctx.session, event["resident_id"])


def _new_values(ctx: ServiceContext, event: ResidentEventMessage) -> dict[str, Any]:
    """The after-values the event carries; for an event without them, the register's current values."""
    values = {name: change.get("after") for name, change in (event.get("changes") or {}).items()
              if name in CORRECTABLE_FIELDS}
    if values:
        return values
    resident = ctx.services.juki_factory(ctx.session).get_resident(event["resident_id"])
    if resident is None:
        raise HandlerError(f"住民 {event['resident_id']} が住民基本台帳に見つかりません", code="resident_not_found")
    return {name: getattr(resident, name) for name in FIELDS_OF_KIND.get(event["kind"], ())}


OPERATORS = [
    ("inkan.rendou.close", "4.2.2", "住民記録連動抹消", close_by_event),
    ("inkan.rendou.correct", "4.3.2", "住民記録連動修正", correct_by_event),
    ("inkan.rendou.name_check", "4.3.2", "氏名変更の確認（印影と新しい氏名）", name_check),
    ("inkan.rendou.undo", "4.5", "異動の取消し（除票の回復・修正の取消し）", undo_by_event),
]
