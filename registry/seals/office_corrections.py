"""4.3.1 職権修正（届出による修正）: a clerk corrects the record's fields, a second clerk approves, one history entry.

Only the fields copied from the resident register may be corrected here; the registration number, the impression
and the birth date never change by correction (a wrong number or impression is 4.2.1 職権抹消 and a new
registration). The proposal carries the before-values the clerk saw, so a record changed in the meantime (4.3.2,
another 4.3.1) is refused instead of silently overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from registry.errors import NotEligible
from registry.seals.models import HistoryEntry, RecordStatus, Registration
from registry.seals.records import add_history, snapshot

__all__ = ["CLEARABLE_FIELDS", "OFFICE_CORRECTABLE_FIELDS", "REASONS", "FieldChange", "apply_office_correction",
           "current_values", "propose_changes"]

# field → label on the record (order = order on the 確認票 and the approval panel)
OFFICE_CORRECTABLE_FIELDS = {"name": "氏名", "kana": "カナ", "old_surname": "旧氏", "common_name": "通称",
                             "katakana_name": "カタカナ併記名", "address": "住所", "household_id": "世帯番号"}
CLEARABLE_FIELDS = ("old_surname", "common_name", "katakana_name")  # may be blank on the record
REASONS = {"notification": "届出による修正", "office": "職権"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str | None
    after: str | None

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "label": self.label, "before": self.before, "after": self.after}


def current_values(record: Registration) -> dict[str, str | None]:
    """The correctable fields as they stand on the record."""
    return {name: getattr(record, name) for name in OFFICE_CORRECTABLE_FIELDS}


def propose_changes(record: Registration, values: dict[str, str | None],
                    cleared: list[str] | tuple[str, ...] = ()) -> list[FieldChange]:
    """The fields whose entered value differs from the record; a blank entry means "unchanged".

    Raise NotEligible field_not_correctable for a field 4.3.1 may not touch (登録番号, 印影, 生年月日 …).
    """
    refused = [name for name in [*values, *cleared] if name not in OFFICE_CORRECTABLE_FIELDS]
    if refused or any(name not in CLEARABLE_FIELDS for name in cleared):
        raise NotEligible(f"職権修正できない項目です: {', '.join(refused or cleared)}", "field_not_correctable")
    changes = []
    for name, label in OFFICE_CORRECTABLE_FIELDS.items():
        before = getattr(record, name)
        after = None if name in cleared else (values.get(name) or "").strip() or before
        if after != before:
            changes.append(FieldChange(name, label, before, after))
    return changes


def apply_office_correction(session: Session, record: Registration, changes: list[FieldChange], *, reason: str,
                            note: str | None, effective: date, operator: str, instance_id: int | None) -> HistoryEntry:
    """Write the approved changes as one 「職権修正（…）」 history entry (operator: the approving clerk).

    Raise NotEligible registration_not_active (the record was closed), nothing_changed (no change) or
    record_changed (a field no longer holds the value the clerk saw).
    """
    if record.status != RecordStatus.REGISTERED:
        raise NotEligible("この印鑑登録は廃止・抹消されているため修正できません", "registration_not_active")
    if not changes:
        raise NotEligible("修正前と修正後が同じです。修正する項目を入力してください", "nothing_changed")
    stale = [c.label for c in changes if getattr(record, c.field) != c.before]
    if stale:
        raise NotEligible(f"入力後に原票の{'・'.join(stale)}が変更されました。最初からやり直してください",
                          "record_changed")
    before = snapshot(record)
    for change in changes:
        setattr(record, change.field, change.after)
    session.flush()
    # the reason's text goes with the entry; who entered it is in the instance's audit events (instance_id)
    return add_history(session, record, f"職権修正（{REASONS[reason]}）", effective, operator, instance_id,
                       before=before, after=snapshot(record) | ({"correction_note": note} if note else {}))
