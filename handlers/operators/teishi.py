"""6.2.1 証明書交付一時停止 (at the counter or by phone) and 6.2.2 解除 (only in person, identity checked).

Refusals are answers ({done: False, reason, message}) the clerk explains; the record changes only when accepted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers.base import ServiceContext
from handlers.results import Suspended, SuspensionFound, SuspensionLifted, SuspensionRefused
from registry.errors import NotEligible
from registry.seals import records, suspension
from registry.seals.models import Registration

__all__ = ["MIN_PHONE_ANSWERS", "OPERATORS", "REASONS", "find_suspended", "lift", "suspend", "suspended_answer"]

MIN_PHONE_ANSWERS = 2  # identity questions a caller must answer before a phone request is accepted
REASONS = {"card_lost": "登録証の亡失", "seal_lost": "印鑑の亡失・盗難", "fraud_risk": "不正使用のおそれ",
           "other": "その他"}
CHANNELS = {"counter": "窓口", "phone": "電話"}
REFUSALS = {
    "no_registration": "この方の有効な印鑑登録がありません",
    "bad_date": "停止期間の日付が正しくありません",
    "phone_identity_insufficient": f"電話の申出は、かけてきた方の氏名と本人確認の質問{MIN_PHONE_ANSWERS}項目以上の回答が必要です",
    "identity_not_checked": "本人確認書類で本人であることを確認してください（6.2.2 の解除は本人の来庁に限ります）",
}


def suspend(ctx: ServiceContext, resident_id: str, channel: str, reason_kind: str, suspended_from: str,
            suspended_until: str | None = None, reason_detail: str | None = None, caller_name: str | None = None,
            identity_answers: list | None = None,
            identity_document: str | None = None) -> Suspended | SuspensionRefused:
    """6.2.1: set the suspension period with its reason; a phone request records who called and what they answered."""
    record = records.active_registration_of(ctx.session, (resident_id or "").strip())
    if record is None:
        return _refused("no_registration")
    ctx.name_subject(record)
    answers = [str(a) for a in identity_answers or []]
    if channel == "phone" and (not (caller_name or "").strip() or len(answers) < MIN_PHONE_ANSWERS):
        return _refused("phone_identity_insufficient")
    try:
        start, until = _date(suspended_from), _date(suspended_until) if suspended_until else None
    except ValueError:
        return _refused("bad_date")
    details: dict[str, Any] = {"suspension_reason": REASONS.get(reason_kind, reason_kind), "reason_detail": reason_detail or None,
               "channel": CHANNELS.get(channel, channel)}
    if channel == "phone":
        details |= {"caller_name": (caller_name or "").strip(), "identity_answers": answers}
    else:
        details |= {"identity_document": identity_document}
    try:
        suspension.suspend(ctx.session, record, start=start, until=until, today=ctx.today(), operator=ctx.actor,
                           instance_id=ctx.instance_id, details=details)
    except NotEligible as exc:
        return {"done": False, "reason": exc.reason, "message": str(exc)}
    return suspended_answer(record, kept=(record.suspended_from, record.suspended_until) != (start, until))


def suspended_answer(record: Registration, *, kept: bool = False) -> Suspended:
    """The accepted 6.2.1 as the task data holds it: the period now on the record (a wider one in force is kept)."""
    start, until = record.suspended_from, record.suspended_until
    assert start is not None  # the record was just suspended
    period = f"{start.isoformat()}〜{until.isoformat() if until else '解除まで'}"
    note = "。既に停止中のため、停止期間は短くしていません（短くするには 6.2.2 解除）" if kept else ""
    return {"done": True, "reason": "ok", "registration_id": record.id,
            "registration_number": record.registration_number, "suspended_from": start.isoformat(),
            "suspended_until": until.isoformat() if until else None,
            "message": f"登録番号 {record.registration_number} の証明書交付を一時停止しました（{period}）{note}"}


def find_suspended(ctx: ServiceContext, resident_id: str) -> SuspensionFound:
    """2.2.1 登録内容照会 for 6.2.2: the person's active registration and its suspension period, shown to the clerk
    before the suspension is lifted; no registration is a refusal the clerk explains."""
    record = records.active_registration_of(ctx.session, (resident_id or "").strip())
    if record is None:
        return {"found": False, "reason": "no_registration", "message": REFUSALS["no_registration"]}
    ctx.name_subject(record)
    suspended = suspension.is_suspended_or_scheduled(record, ctx.today())
    until = record.suspended_until.isoformat() if record.suspended_until else "解除まで"
    state = f"一時停止中（{record.suspended_from}〜{until}）" if suspended else "一時停止していません"
    return {"found": True, "reason": "ok", "registration_id": record.id,
            "registration_number": record.registration_number, "suspended": suspended,
            "message": f"登録番号 {record.registration_number}（{record.name}）: {state}"}


def lift(ctx: ServiceContext, resident_id: str, in_person: bool, identity_document: str | None = None,
         note: str | None = None) -> SuspensionLifted | SuspensionRefused:
    """6.2.2: lift the suspension; only for the registered person at the counter with an identity document."""
    record = records.active_registration_of(ctx.session, (resident_id or "").strip())
    if record is None:
        return _refused("no_registration")
    ctx.name_subject(record)
    if not in_person or not identity_document:
        return _refused("identity_not_checked")
    try:
        suspension.lift(ctx.session, record, today=ctx.today(), operator=ctx.actor, instance_id=ctx.instance_id,
                        details={"identity_document": identity_document, "note": note or None})
    except NotEligible as exc:
        return {"done": False, "reason": exc.reason, "message": str(exc)}
    return {"done": True, "reason": "ok", "registration_id": record.id,
            "registration_number": record.registration_number,
            "message": f"登録番号 {record.registration_number} の証明書交付の一時停止を解除しました"}


def _date(text: str) -> date:
    return date.fromisoformat(str(text).strip())


def _refused(code: str) -> SuspensionRefused:
    return {"done": False, "reason": code, "message": REFUSALS[code]}


OPERATORS = [
    ("inkan.suspension.suspend", "6.2.1", "証明書交付一時停止", suspend),
    ("inkan.suspension.find", "2.2.1", "登録内容照会（6.2.2 解除の対象と停止期間）", find_suspended),
    ("inkan.suspension.lift", "6.2.2", "証明書交付一時停止の解除", lift),
]
