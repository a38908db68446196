"""Service tasks of 4.5 異動の取消し: find the record (active or 除票), check the chosen entry, write the reversal.

``prepare`` only checks and shows what would be written back; ``cancel`` writes one new history entry once a second
clerk approved. A refusal (entry already cancelled, not of this record, a later change) writes nothing.
"""

from __future__ import annotations

from handlers.base import HandlerError, ServiceContext
from handlers.results import CancellationPrepared, CancellationTarget, EntryCancelled
from handlers.services.history_labels import FIELD_LABELS, change_summary, value_text
from registry.errors import NotEligible
from registry.seals import records
from registry.seals.cancellation import cancel_entry, cancelled_entry_ids, plan_reversal
from registry.seals.models import RecordStatus, Registration

__all__ = ["OPERATORS", "cancel", "find", "prepare"]


def find(ctx: ServiceContext, registration_number: str | None = None,
         resident_id: str | None = None) -> CancellationTarget:
    """2.2.1 登録内容照会: the record (by number, else the person's active or newest one) and its history."""
    record = _lookup(ctx, (registration_number or "").strip(), (resident_id or "").strip())
    if record is None:
        return {"found": False, "message": "該当する印鑑登録原票（除票を含む）がありません。"}
    ctx.name_subject(record)
    entries = records.history_of(ctx.session, record.id)
    undone = cancelled_entry_ids(entries)
    return {"found": True, "registration_id": record.id, "registration_number": record.registration_number,
            "name": record.name, "status_label": RecordStatus.LABELS.get(record.status, record.status),
            "entries": [{"id": e.id, "effective_date": e.effective_date.isoformat(), "reason": e.reason,
                         "changes": change_summary(e), "cancelled": e.id in undone} for e in entries]}


def prepare(ctx: ServiceContext, registration_id: int, entry_id: int, cancel_reason: str) -> CancellationPrepared:
    """4.5: what cancelling the entry writes back (now / after); ``valid`` False refuses, nothing is written."""
    record = records.get_registration(ctx.session, registration_id)
    ctx.name_subject(record)
    try:
        reversal = plan_reversal(ctx.session, record, entry_id)
    except NotEligible as exc:
        return {"valid": False, "reason": exc.reason, "message": exc.message}
    return {"valid": True, "registration_id": record.id, "registration_number": record.registration_number,
            "entry_id": entry_id, "entry_reason": reversal.entry.reason,
            "entry_date": reversal.entry.effective_date.isoformat(), "cancel_reason": cancel_reason.strip(),
            "requested_by": ctx.actor,
            "changes": [{"label": FIELD_LABELS.get(name, name), "before": _shown(name, now),
                         "after": _shown(name, value)} for name, (now, value) in reversal.values.items()],
            "message": f"異動履歴 {entry_id}（{reversal.entry.reason}）の取消しを承認待ちにしました。"}


def cancel(ctx: ServiceContext, proposal: CancellationPrepared) -> EntryCancelled:
    """4.5: write the approved reversal; raise HandlerError when the record moved on since the check."""
    record = records.get_registration(ctx.session, proposal["registration_id"])
    try:
        cancel_entry(ctx.session, record, proposal["entry_id"], reason=proposal["cancel_reason"],
                     effective=ctx.today(), operator=ctx.actor, instance_id=ctx.instance_id)
    except NotEligible as exc:
        raise HandlerError(exc.message, code=exc.reason) from exc
    ctx.name_subject(record)
    active = record.status == RecordStatus.REGISTERED
    return {"cancelled": True, "registration_id": record.id, "registration_number": record.registration_number,
            "active": active,
            "message": f"登録番号 {record.registration_number} の異動（{proposal['entry_reason']}）を取り消しました"
                       f"（原票は{'登録中' if active else RecordStatus.LABELS.get(record.status, '')}）。"}


def _lookup(ctx: ServiceContext, number: str, resident_id: str) -> Registration | None:
    if number:
        return records.registration_by_number(ctx.session, number)
    if not resident_id:
        return None
    found = records.active_registration_of(ctx.session, resident_id) or next(
        iter(records.registrations_of(ctx.session, resident_id)), None)
    return found


def _shown(name: str, value) -> str | None:
    return None if value is None else value_text(name, value)


OPERATORS = [
    ("inkan.torikeshi.find", "2.2.1", "登録内容照会（異動を取り消す原票と異動履歴）", find),
    ("inkan.torikeshi.prepare", "4.5", "異動の取消しの確認（取消し前後の対照）", prepare),
    ("inkan.torikeshi.cancel", "4.5", "異動の取消し（取り消す異動履歴の追加）", cancel),
]
