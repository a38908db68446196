"""4.5 異動の取消し: an erroneous history entry is undone by a NEW entry that writes its before-values back.

History is append-only, so the erroneous entry stays and the reversing entry names it (``cancels_entry_id``).
A cancelled 廃止/抹消 makes the 除票 active again, a cancelled 登録 closes the record (its number is never given out
again: numbering is not touched), a cancelled 修正 restores the before-values. Refused (nothing written): the entry
is already cancelled, belongs to another record, changes nothing that can be written back, or a later entry
changed the same fields (that one must be cancelled first).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from registry.errors import NotEligible
from registry.seals.models import HistoryEntry, RecordStatus, Registration
from registry.seals.records import active_registration_of, add_history, history_of, snapshot

__all__ = ["CANCEL_PREFIX", "CANCELLED_REGISTRATION", "Reversal", "cancel_entry", "cancelled_entry_ids",
           "plan_reversal"]

CANCEL_PREFIX = "異動の取消し"
CANCELLED_REGISTRATION = "登録の取消し"  # close_reason of a record whose 登録 was cancelled
# fields a reversal may write back (the number, the birth date and the impression never change by an entry)
RESTORABLE_FIELDS = ("status", "close_reason", "name", "kana", "old_surname", "common_name", "katakana_name",
                     "address", "household_id", "card_kind", "card_number")
REGISTRATION_REASON = "登録"


@dataclass(frozen=True)
class Reversal:
    """What cancelling `entry` writes: field → (value now, value after the reversal)."""

    entry: HistoryEntry
    values: dict[str, tuple[Any, Any]]

    @property
    def reopens(self) -> bool:
        return self.values.get("status", (None, None))[1] == RecordStatus.REGISTERED

    @property
    def closes(self) -> bool:
        return self.values.get("status", (None, RecordStatus.REGISTERED))[1] != RecordStatus.REGISTERED


def cancelled_entry_ids(entries: list[HistoryEntry]) -> set[int]:
    """Ids of the entries a reversing entry already undid."""
    return {cancelled for entry in entries if (cancelled := _after(entry).get("cancels_entry_id"))}


def plan_reversal(session: Session, record: Registration, entry_id: int) -> Reversal:
    """The values cancelling entry `entry_id` writes back; raise NotEligible when it may not be cancelled.

    Codes: entry_not_found, entry_not_of_record, not_cancellable, already_cancelled, later_change,
    registered_again (the person has another active registration, so the 除票 cannot become active).
    """
    entry = session.get(HistoryEntry, entry_id)
    if entry is None:
        raise NotEligible(f"異動履歴 {entry_id} が見つかりません", "entry_not_found")
    if entry.registration_id != record.id:
        raise NotEligible(f"異動履歴 {entry_id} はこの原票（登録番号 {record.registration_number}）の履歴ではありません",
                          "entry_not_of_record")
    entries = history_of(session, record.id)
    if _is_reversal(entry):
        raise NotEligible("取消しの履歴は取り消せません", "not_cancellable")
    if entry.id in cancelled_entry_ids(entries):
        raise NotEligible(f"異動履歴 {entry_id}（{entry.reason}）は既に取り消されています", "already_cancelled")
    fields = _fields_of(entry)
    if not fields:
        raise NotEligible(f"異動履歴 {entry_id}（{entry.reason}）には取り消せる変更がありません", "not_cancellable")
    _refuse_later_changes(entries, entry, fields)
    values = {name: (getattr(record, name), _restored(entry, name)) for name in fields}
    reversal = Reversal(entry, values)
    other = active_registration_of(session, record.resident_id)
    if reversal.reopens and other is not None and other.id != record.id:
        raise NotEligible(f"この方には有効な印鑑登録（登録番号 {other.registration_number}）があるため、"
                          "この原票を登録中に戻せません", "registered_again")
    return reversal


def cancel_entry(session: Session, record: Registration, entry_id: int, *, reason: str, effective: date,
                 operator: str, instance_id: int | None) -> HistoryEntry:
    """Write the reversal of entry `entry_id` as a new 「異動の取消し（…）」 entry (checks as plan_reversal)."""
    reversal = plan_reversal(session, record, entry_id)
    before = snapshot(record) | {"close_reason": record.close_reason}
    for name, (_now, value) in reversal.values.items():
        setattr(record, name, value)
    if reversal.reopens:
        record.closed_on = None
    elif reversal.closes and record.closed_on is None:
        record.closed_on = effective
    session.flush()
    label = f"{CANCEL_PREFIX}（{reversal.entry.reason}）"[:60]
    return add_history(session, record, label, effective, operator, instance_id, before=before,
                       after=snapshot(record) | {"close_reason": record.close_reason,
                                                 "cancels_entry_id": reversal.entry.id, "cancel_reason": reason})


def _fields_of(entry: HistoryEntry) -> tuple[str, ...]:
    """The fields an entry changed; a 登録 "changed" only the status (cancelling it closes the record)."""
    if entry.reason == REGISTRATION_REASON:
        return ("status", "close_reason")
    after = _after(entry)
    return tuple(name for name in RESTORABLE_FIELDS if name in after)


def _restored(entry: HistoryEntry, name: str) -> Any:
    if entry.reason == REGISTRATION_REASON:
        return {"status": RecordStatus.DELETED, "close_reason": CANCELLED_REGISTRATION}[name]
    return json.loads(entry.before_json or "{}").get(name)


def _refuse_later_changes(entries: list[HistoryEntry], entry: HistoryEntry, fields: tuple[str, ...]) -> None:
    """A later entry (not itself undone) that changed one of the fields blocks the cancellation."""
    position = next(i for i, e in enumerate(entries) if e.id == entry.id)
    later = entries[position + 1:]
    undone = cancelled_entry_ids(later)
    for other in later:
        if other.id in undone or _is_reversal(other):
            continue
        if set(_fields_of(other)) & set(fields):
            raise NotEligible(f"後の異動（履歴 {other.id}・{other.reason}）が同じ項目を変更しています。"
                              "先にそちらを取り消してください", "later_change")


def _is_reversal(entry: HistoryEntry) -> bool:
    return "cancels_entry_id" in _after(entry)


def _after(entry: HistoryEntry) -> dict[str, Any]:
    return json.loads(entry.after_json or "{}")
