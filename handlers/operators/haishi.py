"""Service tasks of 4.4.1.1 廃止の申請 and 4.4.1.2 亡失 (and the phone report of a loss that starts 6.2.1).

find → (phone: check_phone_report → start_suspension) | (counter: check_identity → abolish) ; refusal.
A phone report suspends issuance at once (`start_suspension`); otherwise nothing is written before `abolish`, and
every refusal leaves the record as it was.
"""

from __future__ import annotations

from datetime import date

from handlers.base import HandlerError, ServiceContext
from handlers.operators.registration import CARD_KINDS
from handlers.operators.residents import find_resident
from handlers.results import (
    Abolished,
    AbolitionTarget,
    RecordFacts,
    RequestRefused,
    SuspendedAtReport,
    Verdict,
)
from registry.errors import NotEligible
from registry.seals import records, suspension
from registry.seals.abolition import abolish_record
from registry.seals.cards import normalize_card_number, registration_by_card
from registry.seals.models import RecordStatus, Registration

__all__ = ["OPERATORS", "abolish", "check_identity", "check_phone_report", "find", "refusal", "start_suspension"]

REQUEST_KINDS = {"return": "廃止の申請", "lost": "亡失の届出", "lost_phone": "亡失の届出（電話）"}
LOST_ITEMS = {"card": "印鑑登録証", "seal": "印鑑", "both": "印鑑・印鑑登録証"}
REFUSALS = {
    "not_found": "該当する印鑑登録がありません",
    "card_mismatch": "登録証の番号が申請者の印鑑登録と一致しません",
    "not_active": "この印鑑登録は既に廃止・抹消されています",
    "identity_not_checked": "来庁した方の本人確認ができていません",
    "proxy_without_power_of_attorney": "代理人の場合は委任状が必要です",
    "card_not_returned": "廃止の申請には印鑑登録証の返納が必要です（なくした場合は亡失として届け出てください）",
    "phone_answers_wrong": "電話の方が登録者の生年月日・住所を正しく答えられませんでした",
}
SUSPENSION_PROCESS = "ichiji_teishi"  # 6.2.1 一時停止
SUSPENSION_REASON = "亡失の届出（電話）"
PHONE_ANSWERS = ("birth_date", "address")  # what check_phone_report verified
VERIFIED_ANSWERS = ("生年月日", "住所")


def find(ctx: ServiceContext, resident_id: str | None = None, card_number: str | None = None) -> AbolitionTarget | Verdict:
    """2.2.1 登録内容照会: the registration named by the card number (if typed) or by the resident."""
    number = normalize_card_number(card_number)
    if number:
        record = registration_by_card(ctx.session, number)
        if record is None:
            return _verdict(False, "not_found", f"登録証の番号 {number} に該当する印鑑登録がありません")
        if resident_id and record.resident_id != str(resident_id).strip():
            return _verdict(False, "card_mismatch")
    else:
        history = records.registrations_of(ctx.session, str(resident_id or "").strip())
        record = next((r for r in history if r.status == RecordStatus.REGISTERED), history[0] if history else None)
        if record is None:
            resident = find_resident(ctx, resident_id)
            who = f"{resident.name} さん" if resident else f"住民ID {resident_id} の方"
            return _verdict(False, "not_found", f"{who}の印鑑登録はありません")
    ctx.subject.name, ctx.subject.resident_id = record.name, record.resident_id
    ctx.subject.registration_number = record.registration_number
    found = _record_facts(record)
    if record.status != RecordStatus.REGISTERED:
        label = RecordStatus.LABELS.get(record.status, record.status)
        return {**found, **_verdict(False, "not_active", f"登録番号 {record.registration_number} は"
                                    f"{record.closed_on or ''} に{label}されています（{record.close_reason or label}）")}
    return {**found,
            **_verdict(True, "ok", f"登録番号 {record.registration_number}（{record.name}）の印鑑登録を確認しました")}


def check_identity(ctx: ServiceContext, registration_id: int, request_kind: str, applicant: str,
                   identity_checked: bool | None = None, power_of_attorney: bool | None = None,
                   card_collected: bool | None = None) -> Verdict:
    """The counter's checks before 廃止: still active, 代理人 with 委任状, identity, the card returned (4.4.1.1)."""
    record = records.get_registration(ctx.session, registration_id)
    if record.status != RecordStatus.REGISTERED:
        return _verdict(False, "not_active")
    if applicant == "proxy" and not power_of_attorney:
        return _verdict(False, "proxy_without_power_of_attorney")
    if not identity_checked:
        return _verdict(False, "identity_not_checked")
    if request_kind == "return" and record.card_kind == CARD_KINDS["registration_card"] and not card_collected:
        return _verdict(False, "card_not_returned")
    who = "本人" if applicant == "self" else "代理人（委任状あり）"
    return _verdict(True, "ok", f"{REQUEST_KINDS.get(request_kind, request_kind)}を受け付けました（来庁者: {who}）")


def abolish(ctx: ServiceContext, registration_id: int, request_kind: str, applicant: str,
            lost_item: str | None = None, identity_document: str | None = None,
            card_collected: bool | None = None) -> Abolished:
    """4.4.1.1 / 4.4.1.2: the record becomes a 除票 (廃止) with its reason; raise HandlerError not_active."""
    record = records.get_registration(ctx.session, registration_id)
    reason = abolition_reason(request_kind, lost_item)
    collected = bool(card_collected) and record.card_kind == CARD_KINDS["registration_card"]
    try:
        abolish_record(ctx.session, record, reason=reason, effective=ctx.today(), operator=ctx.actor,
                       instance_id=ctx.instance_id, card_collected=collected,
                       extra_after={"applicant": applicant, "identity_document": identity_document})
    except NotEligible as exc:
        raise HandlerError(exc.message, code=exc.reason) from exc
    return {"abolished": True, "registration_id": record.id, "registration_number": record.registration_number,
            "reason": reason, "closed_on": record.closed_on.isoformat() if record.closed_on else None, "card_collected": collected,
            "message": f"登録番号 {record.registration_number} を廃止しました（{reason}）。"
                       + ("印鑑登録証を回収しました。" if collected else "")}


def abolition_reason(request_kind: str, lost_item: str | None) -> str:
    """The 除票's reason: 「廃止の申請」 or 「亡失: 印鑑登録証」 (what was lost)."""
    if request_kind == "return":
        return REQUEST_KINDS["return"]
    return f"亡失: {LOST_ITEMS.get(lost_item or 'card', LOST_ITEMS['card'])}"


def check_phone_report(ctx: ServiceContext, registration_id: int, stated_birth_date: str | None = None,
                       address_answered: bool | None = None) -> Verdict:
    """6.2.1 by phone: the caller must state the registered person's birth date and address correctly."""
    record = records.get_registration(ctx.session, registration_id)
    if record.status != RecordStatus.REGISTERED:
        return _verdict(False, "not_active")
    try:
        stated = date.fromisoformat(str(stated_birth_date or ""))
    except ValueError:
        stated = None
    if stated != record.birth_date or not address_answered:
        return _verdict(False, "phone_answers_wrong")
    return _verdict(True, "ok", "電話の方の回答が登録内容と一致しました。一時停止の手続きに進みます")


def start_suspension(ctx: ServiceContext, registration_id: int, lost_item: str | None = None,
                     caller: str | None = None, caller_name: str | None = None) -> SuspendedAtReport:
    """6.2.1 一時停止 at once: the phone report suspends issuance in its own transaction (from today until lifted),
    then hands over to the suspension flow (started in the same transaction by the engine) to complete the record.

    The stop is written once per instance: when the hand-over fails (6.2.1 not deployed) the stop stays and the
    retry only hands over. Raise HandlerError registration_closed when the record closed meanwhile.
    """
    record = records.get_registration(ctx.session, registration_id)
    today = ctx.today()
    details = {"suspension_reason": SUSPENSION_REASON, "channel": "電話", "lost_item": lost_item or "card",
               "caller": caller, "caller_name": (caller_name or "").strip() or None,
               "identity_answers": list(PHONE_ANSWERS)}
    already = any(e.reason == suspension.SUSPENDED and e.instance_id == ctx.instance_id
                  for e in records.history_of(ctx.session, record.id))  # a retry after the hand-over failed
    try:
        if not already:
            suspension.suspend(ctx.session, record, start=today, until=None, today=today, operator=ctx.actor,
                               instance_id=ctx.instance_id, details=details)
    except NotEligible as exc:
        raise HandlerError(exc.message, code=exc.reason) from exc
    ctx.name_subject(record)
    handover = {"resident_id": record.resident_id, "registration_number": record.registration_number,
                "reason": SUSPENSION_REASON, "by_phone": True, "suspended_at_report": today.isoformat(),
                "channel": "phone", "reason_kind": "seal_lost" if lost_item == "seal" else "card_lost",
                "suspended_from": today.isoformat(), "caller_name": details["caller_name"],
                "verified_answers": "・".join(VERIFIED_ANSWERS)}
    return {"suspended": True, "suspended_from": today.isoformat(), "registration_number": record.registration_number,
            "continue_with": {"process_id": SUSPENSION_PROCESS, "data": handover},
            "message": f"登録番号 {record.registration_number} の証明書交付を一時停止しました（{today.isoformat()}〜解除まで、"
                       "6.2.1）。続けて一時停止の申出を記録してください"}


def refusal(ctx: ServiceContext, reason: str, detail: str | None = None) -> RequestRefused:
    """The request is not accepted: the reason the counter explains. Nothing is written to the record."""
    label = REFUSALS.get(reason, reason)
    shown = detail if detail and detail != label else None
    return {"reason": reason, "label": label,
            "message": f"受け付けられません: {label}{'（' + shown + '）' if shown else ''}。印鑑登録は変更していません"}


def _record_facts(record: Registration) -> RecordFacts:
    return {"registration_id": record.id, "registration_number": record.registration_number,
            "registered_on": record.registered_on.isoformat(), "resident_id": record.resident_id,
            "name": record.name, "status": record.status,
            "status_label": RecordStatus.LABELS.get(record.status, record.status),
            "card_kind": record.card_kind, "card_number": record.card_number,
            "suspended": record.suspended_from is not None}


def _verdict(ok: bool, reason: str, message: str | None = None) -> Verdict:
    return {"ok": ok, "reason": reason,
            "label": REFUSALS.get(reason, ""), "message": message or REFUSALS[reason]}


OPERATORS = [
    ("inkan.abolition.find", "2.2.1", "登録内容照会（廃止・亡失の対象）", find),
    ("inkan.abolition.check_identity", "4.4.1.1", "廃止の申請・亡失の届出の確認（本人確認・委任状・登録証）",
     check_identity),
    ("inkan.abolition.abolish", "4.4.1.1", "廃止（除票へ）", abolish),
    ("inkan.abolition.check_phone_report", "6.2.1", "電話による亡失の届出の確認", check_phone_report),
    ("inkan.abolition.start_suspension", "6.2.1", "証明書交付一時停止（電話の届出で即時）", start_suspension),
    ("inkan.abolition.refusal", "4.4.1", "廃止の申請・亡失の届出の不受理", refusal),
]
