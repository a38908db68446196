"""Service tasks of 4.3.1 職権修正（届出による修正）: find the record, compare the entry, write it once approved.

The clerk's entry is only compared (``prepare``) until a second clerk approves it; then ``correct`` writes one
history entry. A refusal (no active registration, nothing changed) writes nothing.
"""

from __future__ import annotations

from handlers.base import HandlerError, ServiceContext
from handlers.operators.residents import find_resident
from handlers.results import Corrected, CorrectionProposed, ShuseiTarget
from registry.errors import NotEligible
from registry.seals import records
from registry.seals.models import RecordStatus
from registry.seals.office_corrections import (
    OFFICE_CORRECTABLE_FIELDS,
    REASONS,
    FieldChange,
    apply_office_correction,
    current_values,
    propose_changes,
)

__all__ = ["OPERATORS", "correct", "find", "prepare"]

NOT_ACTIVE = "有効な印鑑登録がありません（未登録・廃止・抹消）。職権修正はできません。"


def find(ctx: ServiceContext, resident_id: str) -> ShuseiTarget:
    """2.2.1 登録内容照会: the person's active record with the current values of the correctable fields."""
    resident = find_resident(ctx, resident_id)
    if resident is None:
        return {"active": False, "reason": "not_found", "message": "住民記録に該当者がいません。"}
    record = records.active_registration_of(ctx.session, resident.resident_id)
    if record is None:
        ctx.subject.name, ctx.subject.resident_id = resident.name, resident.resident_id
        return {"active": False, "reason": "registration_not_active", "message": NOT_ACTIVE}
    ctx.name_subject(record)
    return {"active": True, "registration_id": record.id, "registration_number": record.registration_number,
            "registered_on": record.registered_on.isoformat(), "birth_date": record.birth_date.isoformat(),
            "fields": [{"field": name, "label": label, "value": value}
                       for (name, label), value in zip(OFFICE_CORRECTABLE_FIELDS.items(),
                                                       current_values(record).values(), strict=True)]}


def prepare(ctx: ServiceContext, registration_id: int, correction_reason: str, values: dict,
            reason_note: str | None = None, clear_fields: list | None = None) -> CorrectionProposed:
    """4.3.1: the entry beside the record (before / after); ``changed`` False refuses (nothing is written)."""
    record = records.get_registration(ctx.session, registration_id)
    ctx.name_subject(record)
    if record.status != RecordStatus.REGISTERED:
        return {"changed": False, "reason": "registration_not_active", "message": NOT_ACTIVE}
    try:
        changes = propose_changes(record, values or {}, clear_fields or [])
    except NotEligible as exc:
        return {"changed": False, "reason": exc.reason, "message": exc.message}
    if not changes:
        return {"changed": False, "reason": "nothing_changed",
                "message": "修正後の記載が修正前と同じです。修正する項目がないため受け付けません。"}
    return {"changed": True, "registration_id": record.id, "registration_number": record.registration_number,
            "correction_reason": correction_reason, "reason_label": REASONS[correction_reason],
            "reason_note": (reason_note or "").strip() or None, "requested_by": ctx.actor,
            "changes": [change.to_json() for change in changes],
            "message": f"{len(changes)}項目の修正を承認待ちにしました。"}


def correct(ctx: ServiceContext, proposal: CorrectionProposed) -> Corrected:
    """4.3.1: write the approved proposal as one history entry; raise HandlerError when the record moved on."""
    record = records.get_registration(ctx.session, proposal["registration_id"])
    changes = [FieldChange(**change) for change in proposal["changes"]]
    try:
        apply_office_correction(ctx.session, record, changes, reason=proposal["correction_reason"],
                                note=proposal.get("reason_note"), effective=ctx.today(), operator=ctx.actor,
                                instance_id=ctx.instance_id)
    except NotEligible as exc:
        raise HandlerError(exc.message, code=exc.reason) from exc
    ctx.name_subject(record)
    labels = "・".join(change.label for change in changes)
    return {"corrected": True, "registration_id": record.id, "registration_number": record.registration_number,
            "message": f"登録番号 {record.registration_number} の{labels}を修正しました（{proposal['reason_label']}）。"}


OPERATORS = [
    ("inkan.shusei.find", "2.2.1", "登録内容照会（職権修正する原票）", find),
    ("inkan.shusei.prepare", "4.3.1", "職権修正の修正前後の対照", prepare),
    ("inkan.shusei.correct", "4.3.1", "職権修正（原票の修正・異動履歴）", correct),
]
