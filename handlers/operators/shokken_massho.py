"""Service tasks of 4.2.1 職権抹消: find the registration (2.1.3 / 2.2.1) and, once approved, close it.

The 除票確認票 (4.4.1.3) and the 抹消通知書 reuse inkan.print.closed_record_sheet and inkan.print.enqueue.
"""

from __future__ import annotations

from handlers.base import HandlerError, ServiceContext
from handlers.results import MasshoClosed, MasshoNotFound, MasshoRecord, MasshoTarget
from printing import to_wareki
from registry.errors import NotEligible
from registry.seals import records
from registry.seals.models import RecordStatus, Registration
from registry.seals.office_changes import close_by_office, find_by_number

__all__ = ["OPERATORS", "close", "find"]


def find(ctx: ServiceContext, search_by: str, resident_id: str | None = None,
         registration_number: str | None = None) -> MasshoTarget | MasshoNotFound:
    """2.2.1 登録内容照会: the registration to close, by its number or by the resident; active or why not.

    Returns found / active / reason (ok, not_found, not_registered, closed) with a Japanese message.
    """
    if search_by == "registration_number":
        record = find_by_number(ctx.session, registration_number)
        if record is None:
            return _refusal("not_found", f"登録番号 {registration_number or ''} の印鑑登録原票はありません。")
    else:
        record = _newest_of(ctx, resident_id)
        if record is None:
            return _refusal("not_registered", f"住民ID {resident_id or ''} の方には印鑑登録がありません。")
    ctx.name_subject(record)
    if record.status != RecordStatus.REGISTERED:
        label = RecordStatus.LABELS[record.status]
        closed_on = to_wareki(record.closed_on) if record.closed_on else "日付不明"
        return {**_summary(record), "active": False, "reason": "closed", "message": (
            f"登録番号 {record.registration_number} は既に{label}されています（除票・{closed_on} "
            f"{record.close_reason or label}）。職権抹消はできません。")}
    return {**_summary(record), "active": True, "reason": "ok",
            "message": f"登録番号 {record.registration_number} は有効な登録です。"}


def close(ctx: ServiceContext, registration_id: int, reason: str, reason_detail: str | None = None) -> MasshoClosed:
    """4.2.1 職権抹消 after approval: the record becomes a 除票 dated today; the approving clerk is the operator.

    A record closed meanwhile (e.g. by 4.2.2) changes nothing: closed False with the message.
    """
    record = records.get_registration(ctx.session, registration_id)
    ctx.name_subject(record)
    try:
        close_by_office(ctx.session, record, code=reason, detail=reason_detail, effective=ctx.today(),
                        operator=ctx.actor, instance_id=ctx.instance_id)
    except NotEligible as exc:
        if exc.reason != "already_closed":
            raise HandlerError(exc.message, code=exc.reason) from exc
        return {"closed": False, "registration_id": record.id, "reason": exc.reason,
                "message": f"{exc.message}。原票は変更していません。"}
    return {"closed": True, "registration_id": record.id, "registration_number": record.registration_number,
            "close_reason": record.close_reason, "closed_on": record.closed_on.isoformat() if record.closed_on else None,
            "message": f"登録番号 {record.registration_number} を職権抹消しました（{record.close_reason}）。"}


def _newest_of(ctx: ServiceContext, resident_id: str | None) -> Registration | None:
    """The person's active record, else their latest 除票 (so the refusal can say when it was closed)."""
    if not resident_id or not str(resident_id).strip():
        return None
    resident_id = str(resident_id).strip()
    active = records.active_registration_of(ctx.session, resident_id)
    return active or next(iter(records.registrations_of(ctx.session, resident_id)), None)


def _summary(record: Registration) -> MasshoRecord:
    return {"found": True, "registration_id": record.id, "registration_number": record.registration_number,
            "resident_id": record.resident_id, "name": record.name, "status": record.status,
            "closed_on": record.closed_on.isoformat() if record.closed_on else None,
            "close_reason": record.close_reason}


def _refusal(reason: str, message: str) -> MasshoNotFound:
    return {"found": False, "active": False, "reason": reason, "message": message, "registration_id": None}


OPERATORS = [
    ("inkan.massho.find", "2.2.1", "登録内容照会（職権抹消の対象）", find),
    ("inkan.massho.close", "4.2.1", "職権抹消（除票へ）", close),
]
