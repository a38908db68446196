"""Changes of a record that follow the resident register: 抹消 (4.2.2), 修正 (4.3.2) and 回復 (異動の取消し).

Each change is one new history entry (異動履歴) naming the register's event id, so a second delivery of the
same event is recognised and changes nothing; the record row only carries the current values.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from registry.errors import NotEligible
from registry.seals.models import HistoryEntry, RecordStatus, Registration
from registry.seals.records import active_registration_of, add_history, history_of, registrations_of, snapshot

__all__ = ["CORRECTABLE_FIELDS", "applied_event_ids", "closed_by_event", "correct_record",
           "restore_record"]

# Fields of the record that follow the register (the register's field name is the record's field name).
CORRECTABLE_FIELDS = ("name", "kana", "address", "household_id", "common_name", "old_surname", "birth_date", "sex",
                      "katakana_name")
DATE_FIELDS = ("birth_date",)  # carried by events as ISO strings


def applied_event_ids(session: Session, record: Registration) -> set[str]:
    """The register events already written into this record's history."""
    return {event_id for entry in history_of(session, record.id) if (event_id := _event_id(entry))}


def correct_record(session: Session, record: Registration, values: dict[str, Any], *, reason: str,
                   effective: date, event_id: str, operator: str, instance_id: int | None,
                   extra_after: dict[str, Any] | None = None) -> HistoryEntry | None:
    """修正: copy the register's new values onto the record; None when nothing differs.

    `extra_after` (a 氏名変更's decision and its reason) is added to the entry's after-values.
    """
    typed = {name: _typed(name, value) for name, value in values.items() if name in CORRECTABLE_FIELDS}
    changed = {name: value for name, value in typed.items() if getattr(record, name) != value}
    if not changed:
        return None
    before = snapshot(record)
    for name, value in changed.items():
        setattr(record, name, value)
    session.flush()
    return add_history(session, record, f"修正（{reason}）", effective, operator, instance_id,
                       before=before, after=snapshot(record) | {"juki_event_id": event_id} | (extra_after or {}))


def restore_record(session: Session, record: Registration, *, effective: date, event_id: str,
                   cancels_event_id: str, operator: str, instance_id: int | None) -> HistoryEntry:
    """回復: the register cancelled the change that closed this record.

    Raise NotEligible when the person registered again after this record (the new registration stands).
    """
    newer = [other for other in registrations_of(session, record.resident_id) if other.id > record.id]
    if newer or active_registration_of(session, record.resident_id) is not None:
        raise NotEligible("この方には新しい印鑑登録があるため、除票を回復できません", "registered_again")
    before = snapshot(record) | {"close_reason": record.close_reason}
    record.status, record.closed_on, record.close_reason = RecordStatus.REGISTERED, None, None
    session.flush()
    return add_history(session, record, "回復（異動の取消し）", effective, operator, instance_id, before=before,
                       after=snapshot(record) | {"close_reason": None, "juki_event_id": event_id,
                                                 "cancels_event_id": cancels_event_id})


def closed_by_event(session: Session, resident_id: str, event_id: str) -> Registration | None:
    """The person's record that the register event `event_id` closed, if it is still closed."""
    for record in registrations_of(session, resident_id):
        if record.status == RecordStatus.DELETED and any(
                _event_id(entry) == event_id and entry.reason.startswith("抹消")
                for entry in history_of(session, record.id)):
            return record
    return None


def _typed(name: str, value: Any) -> Any:
    """A register value as the record's column holds it (dates come as ISO strings)."""
    if name in DATE_FIELDS and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def _event_id(entry: HistoryEntry) -> str | None:
    return json.loads(entry.after_json or "{}").get("juki_event_id")
