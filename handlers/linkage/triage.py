"""住民記録連動: what one resident event means for the registry (the worker's triage before 4.2.2 / 4.3.2).

A registered person's change starts the flow whose message start event catches ``juki.<kind>``; everything else
is recorded with a reason. Out-of-order delivery is judged by effective date (異動日): a change dated before
the closing of a record, or before a later change of the same fields already applied, changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from handlers.linkage.intake import EventOutcome
from handlers.linkage.types import EventHistory, ResidentEventMessage
from juki.client import JukiClient, Resident
from juki.errors import InvalidQuery
from juki.events import EVENT_KINDS, ResidentEvent
from registry.seals import records
from registry.seals.changes import applied_event_ids, closed_by_event
from registry.seals.models import Registration

__all__ = ["CLOSING_KINDS", "CORRECTING_KINDS", "MESSAGE_OF_KIND", "EventDecision", "triage"]

# kind → the 抹消 reason written on the 除票 (後見開始 is 4.2.1's reason)
CLOSING_KINDS = {"move_out": "転出", "death": "死亡", "removal_by_office": "職権消除",
                 "guardianship_started": "後見開始"}
CORRECTING_KINDS = ("move_within", "address_renamed", "household_change", "common_name_set",
                    "common_name_cleared", "name_change", "record_corrected", "kana_changed", "katakana_name_changed")
# kind → the 4.3.2 start event's message when it is not ``juki.<kind>``: a 振り仮名 change is corrected like a
# 記載事項の修正; a カタカナ表記 change goes to the バックヤード's impression check like a 氏名変更, because a foreign
# resident's seal may show the カタカナ表記.
MESSAGE_OF_KIND = {"kana_changed": "record_corrected", "katakana_name_changed": "name_change"}
RESTORABLE_KINDS = ("move_out", "death")  # 異動の取消し of these restores the record
ARRIVAL_KINDS = ("move_in", "special_move_in", "birth")

NOT_RELEVANT, STARTED, IGNORED, INCIDENT, DELIVERED = (EventOutcome.NOT_RELEVANT, EventOutcome.STARTED,
                                                      EventOutcome.IGNORED, EventOutcome.INCIDENT,
                                                      EventOutcome.DELIVERED)
# 4.1.4: a 転出 or 死亡 while the answer is awaited ends the application; the waiting instance catches this message
# (a boundary event on its answer task) and closes the application with the reason.
LEFT_MESSAGE = "inquiry.resident_left"
LEFT_KINDS = {"move_out": ("moved_out", "転出"), "death": ("deceased", "死亡")}


@dataclass(frozen=True)
class EventDecision:
    """What an event means for the registry (processing's ``Decision``): outcome, reason, message to start."""

    outcome: str
    reason: str | None = None
    message_name: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def triage(session: Session, juki: JukiClient, event: ResidentEvent, history: EventHistory) -> EventDecision:
    """Decide one event; raise juki.errors.JukiUnavailable when the register cannot be asked now.

    `history` carries `cancelled` (the event a cancellation undoes, if received) and `later_processed`.
    """
    if _resident(juki, event.resident_id) is None:
        return EventDecision(INCIDENT, f"住民記録に該当者がいない住民ID（{event.resident_id}）の異動通知です。"
                                       "住基の異動内容と住民IDを確認してください。")
    if event.kind in ARRIVAL_KINDS:
        return EventDecision(NOT_RELEVANT, f"{event.label}は印鑑登録に影響しない異動です。")
    if event.kind == "cancellation":
        return _cancellation(session, event, history.cancelled)
    active = records.active_registration_of(session, event.resident_id)
    if active is None:
        return _without_registration(session, event)
    if event.event_id in applied_event_ids(session, active):
        return EventDecision(IGNORED, "この異動は既に原票に反映済みです。")
    overtaking = _overtaking(event, history.later_processed)
    if overtaking is not None:
        return EventDecision(IGNORED, f"異動日がより新しい異動（{overtaking.label} {overtaking.effective_date}）を"
                                      "処理済みのため、原票は変更しません。")
    if event.kind in CLOSING_KINDS or event.kind in CORRECTING_KINDS:
        return _start(event, active)
    return EventDecision(NOT_RELEVANT, f"{event.label}は印鑑登録に影響しない異動です。")


def _resident(juki: JukiClient, resident_id: str) -> Resident | None:
    try:
        return juki.get_resident(resident_id)
    except InvalidQuery:
        return None


def _without_registration(session: Session, event: ResidentEvent) -> EventDecision:
    if event.kind in LEFT_KINDS and (pending := records.open_inquiries_of(session, event.resident_id)):
        reason, label = LEFT_KINDS[event.kind]
        number = records.inquiry_number(pending[0].id)
        payload = {"instance_id": pending[0].instance_id, "application_id": pending[0].id, "reason": reason,
                   "detail": f"{label}（異動日 {event.effective_date}・住民記録連動）", "event_id": event.event_id,
                   "effective_date": event.effective_date.isoformat()}
        return EventDecision(DELIVERED, f"照会中の申請（照会番号 {number}）は{label}により失効します。",
                             LEFT_MESSAGE, payload)
    closed = next((r for r in records.registrations_of(session, event.resident_id) if r.closed_on), None)
    if closed is not None and closed.closed_on is not None and event.effective_date <= closed.closed_on:
        return EventDecision(IGNORED, f"除票（{closed.closed_on} {closed.close_reason or '抹消'}）より前の日付の"
                                      "異動のため、除票は変更しません。")
    return EventDecision(NOT_RELEVANT, "印鑑登録がない方の異動のため対象外です。")


def _overtaking(event: ResidentEvent, later_processed: Sequence[ResidentEvent]) -> ResidentEvent | None:
    """A later-dated event already processed that set the same fields (or closed the record)."""
    if event.kind in CLOSING_KINDS:
        return None
    for later in later_processed:
        if later.kind in CLOSING_KINDS or set(later.changes) & set(event.changes):
            return later
    return None


def _cancellation(session: Session, event: ResidentEvent, cancelled: ResidentEvent | None) -> EventDecision:
    if cancelled is None:
        return EventDecision(IGNORED, f"取り消された異動（{event.cancels_event_id}）を受信していないため、"
                                      "原票は変更しません。")
    if cancelled.kind in RESTORABLE_KINDS:
        record = closed_by_event(session, event.resident_id, cancelled.event_id)
        if record is None:
            return EventDecision(NOT_RELEVANT, f"取り消された{cancelled.label}で抹消された原票はありません。")
        if any(other.id > record.id for other in records.registrations_of(session, event.resident_id)):
            return EventDecision(IGNORED, f"{cancelled.label}の取消し前に新しい印鑑登録があるため、除票は回復しません。")
        return _start(event, record, action="restore", cancelled=cancelled)
    active = records.active_registration_of(session, event.resident_id)
    if cancelled.kind in CORRECTING_KINDS and active is not None:
        return _start(event, active, action="correct", cancelled=cancelled)
    return EventDecision(NOT_RELEVANT, f"{cancelled.label}の取消しは印鑑登録に影響しません。")


def _start(event: ResidentEvent, record: Registration, *, action: str | None = None,
           cancelled: ResidentEvent | None = None) -> EventDecision:
    payload: ResidentEventMessage = {
        **event.to_json(), "label": EVENT_KINDS[event.kind], "registration_id": record.id,
        "registration_number": record.registration_number, "action": action,
        "cancelled_kind": cancelled.kind if cancelled else None}
    return EventDecision(STARTED, f"{event.label}（異動日 {event.effective_date}）により業務を開始しました。",
                         f"juki.{MESSAGE_OF_KIND.get(event.kind, event.kind)}", dict(payload))
