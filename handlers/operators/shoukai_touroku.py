"""4.1.4 照会による登録: 4.1.4.2 照会書発行 (number, deadline, letter), 4.1.4.6 回答登録 (the answer and its bearer),
and how an application waiting for its answer ends (lapse, cancel)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from handlers.base import HandlerError, ServiceContext
from handlers.environment import JST, Operator
from handlers.operators.residents import require_resident
from handlers.results import AnswerChecked, AnswerRefused, InquiryIssued, InstanceCancelled, Lapsed
from handlers.services.mailing import letter_state
from registry.seals import records
from registry.seals.models import AnswerRefusal, Application

INQUIRY_REASONS = {"proxy": "代理人による申請", "guarantor_invalid": "保証書が有効でない",
                   "no_identity_document": "本人確認書類なし", "mail": "郵送・その他による申請"}
ANSWER_REFUSALS = {
    "inquiry_number_mismatch": "照会番号がこの申請のものではありません",
    "letter_not_printed": "照会書がまだ郵送されていません（照会書兼回答書が印刷されていません）",
    "letter_not_mailed": "照会書がまだ郵送されていません",
    "answer_too_early": "照会書の郵送から所定の日数が経過していないため、まだ回答を受け付けられません",
    "check_code_mismatch": "照会番号が照会書の記載と一致しません（照会書に印字された照会番号を末尾の英字まで入力してください）",
    "deadline_passed": "回答期限を過ぎています（申請は失効します）",
    "identity_not_checked": "回答書を持参した方の本人確認ができていません",
    "proxy_without_power_of_attorney": "代理人の場合は委任状（回答書の委任状欄への記入・押印）が必要です",
    "seal_mismatch": "持参した印鑑の印影が申請時の印影と一致しません",
}
# Refusals that mean the 回答書 did not come through the letter mailed to the registered address: possible fraud,
# kept for the auditors (registry.seals.reports.answer_refusals) and audited.
SUSPICIOUS_REFUSALS = ("letter_not_printed", "letter_not_mailed", "answer_too_early", "check_code_mismatch")
SUSPICIOUS_KIND = "inquiry_answer_suspicious"
LAPSE_REASONS = {"deadline_passed": "回答期限までに回答書の提出がなかった",
                 "not_applied": "本人から「申請していない」との回答があった",
                 # a 転出 / 死亡 reported by the register while the answer was awaited (住民記録連動)
                 "moved_out": "回答を待つ間に転出した", "deceased": "回答を待つ間に死亡した",
                 # 4.1.4.6: the recheck at the answer (2.1.3 / 2.2.1) found the applicant no longer eligible
                 "not_resident": "回答時に市内に住所がない（転出）", "already_registered": "回答を待つ間に印鑑登録された",
                 "not_found": "回答時に住民記録が見つからない", "lacks_capacity": "回答時に意思能力がない",
                 "under_15": "回答時に15歳未満"}
LAPSED, CANCELLED = "lapsed", "cancelled"
DEADLINE_DAYS_MIN, DEADLINE_DAYS_MAX = 1, 365  # as INKAN_INQUIRY_DEADLINE_DAYS (webui/config.py)


def issue(ctx: ServiceContext, resident_id: str, impression_id: int, applicant: str,
          inquiry_reason: str | None = None, deadline_days: int | str | None = None) -> InquiryIssued:
    """4.1.4.2: open the application as 照会中 with its 照会番号 and 回答期限 (the letter is queued next).

    `deadline_days` (1–365) is the definition's answer deadline, so a manager changes it in the modeler;
    without it the setting INKAN_INQUIRY_DEADLINE_DAYS applies.
    Raises HandlerError('resident_not_found' | 'invalid_deadline_days').
    """
    days = answer_deadline_days(ctx, deadline_days)
    resident = require_resident(ctx, resident_id)
    applied_on = ctx.today()
    deadline = applied_on + timedelta(days=days)
    application = records.open_inquiry(ctx.session, ctx.instance_id, resident_id=resident_id, operator=ctx.actor)
    number = records.inquiry_number(application.id)
    application.detail = f"照会番号 {number}／回答期限 {deadline.isoformat()}／仮登録印影 {impression_id}"
    ctx.subject.name, ctx.subject.resident_id = resident.name, resident_id
    return {"application_id": application.id, "inquiry_number": number, "applicant": applicant,
            "inquiry_reason": inquiry_reason, "reason_label": INQUIRY_REASONS.get(inquiry_reason or "", ""),
            "applied_on": applied_on.isoformat(), "deadline": deadline.isoformat(),
            "deadline_at": deadline_moment(deadline).isoformat(),
            "deadline_days": days}


def answer_deadline_days(ctx: ServiceContext, deadline_days: int | str | None) -> int:
    """The service task's `deadline_days` (an int, or digits as text) checked to 1–365; absent: the setting."""
    if deadline_days is None or deadline_days == "":
        return ctx.services.settings.inquiry_deadline_days
    text = str(deadline_days).strip()
    # bool is an int in Python; True must not become a one-day deadline
    days = int(text) if not isinstance(deadline_days, bool) and text.isascii() and text.isdigit() else None
    if days is None or not DEADLINE_DAYS_MIN <= days <= DEADLINE_DAYS_MAX:
        raise HandlerError(f"回答期限の日数（deadline_days）は{DEADLINE_DAYS_MIN}〜{DEADLINE_DAYS_MAX}の整数で"
                           f"指定してください（指定値: {deadline_days}）", code="invalid_deadline_days")
    return days


def deadline_moment(deadline: date) -> datetime:
    """The answer is accepted until the end of the deadline day (JST): the timer is due at the next midnight."""
    return datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=JST)


def check_answer(ctx: ServiceContext, application_id: int, inquiry_number: str, deadline_at: str, answer: str,
                 bearer: str | None = None, bearer_identity_checked: bool | None = None,
                 power_of_attorney: bool | None = None) -> AnswerChecked:
    """4.1.4.6: may the 回答書 brought be accepted? outcome accepted | refused (with reason) | not_applied.

    An answer counts only when it came through the letter: printed, marked mailed, at least
    INKAN_INQUIRY_MIN_WAIT_DAYS after the mailing, and with the 照会番号's random part printed only on the letter.
    A 「申請していない」 answer is never held back by those checks: it only stops the application.
    """
    application = _application(ctx, application_id)
    typed = records.split_inquiry_number(inquiry_number)
    if typed is None or typed.application_id != application.id:
        return _answer("refused", "inquiry_number_mismatch")
    if ctx.now() >= datetime.fromisoformat(deadline_at).astimezone(JST).replace(tzinfo=None):
        return _answer("refused", "deadline_passed")  # the timer, due by now, lapses it while the answer waits
    if answer == "not_applied":
        return _answer("not_applied", "not_applied", LAPSE_REASONS["not_applied"])
    refused = _not_through_the_letter(ctx, application, typed)
    if refused is not None:
        return refused
    if bearer == "proxy" and not power_of_attorney:
        return _answer("refused", "proxy_without_power_of_attorney")
    if not bearer_identity_checked:
        return _answer("refused", "identity_not_checked")
    who = "本人" if bearer == "self" else "代理人（委任状あり）"
    return _answer("accepted", "ok", f"回答書を受け付けました（持参者: {who}）。持参した印鑑を照合します")


def _not_through_the_letter(ctx: ServiceContext, application: Application,
                            typed: records.TypedInquiryNumber) -> AnswerChecked | None:
    """The refusal of an answer that did not come through the mailed letter, or None."""
    state = letter_state(ctx.session, application.id, today=ctx.today(),
                         min_wait_days=ctx.services.settings.inquiry_min_wait_days)
    if state.problem in ("letter_not_printed", "letter_not_mailed"):
        return _answer("refused", state.problem)
    if not records.check_code_matches(application, typed):
        return _answer("refused", "check_code_mismatch")
    if state.problem == "answer_too_early":
        return _answer("refused", "answer_too_early", _too_early(ctx, application))
    return None


def _too_early(ctx: ServiceContext, application: Application) -> str:
    """The answer_too_early refusal with the mailing day and the first day an answer counts."""
    wait = ctx.services.settings.inquiry_min_wait_days
    state = letter_state(ctx.session, application.id, today=ctx.today(), min_wait_days=wait)
    if state.mailed_on is None or state.accepted_from is None:
        return ANSWER_REFUSALS["answer_too_early"]
    return (f"照会書の郵送日（{state.mailed_on.isoformat()}）から{wait}日を経過していないため、まだ回答を受け付けられません"
            f"（{state.accepted_from.isoformat()} から受け付けます）")


def _answer(outcome: str, reason: str, message: str | None = None) -> AnswerChecked:
    return {"outcome": outcome, "reason": reason, "message": message or ANSWER_REFUSALS[reason]}


def refuse_answer(ctx: ServiceContext, application_id: int, reason: str, detail: str | None = None,
                  inquiry_number: str | None = None) -> AnswerRefused:
    """4.1.4.6: the answer is not accepted this time; the application stays 照会中 until its deadline.

    A refusal of SUSPICIOUS_REFUSALS is kept as a possible fraud attempt (with the number as typed, its random part
    masked) and audited.
    """
    application = _application(ctx, application_id)
    label = _too_early(ctx, application) if reason == "answer_too_early" else ANSWER_REFUSALS.get(reason, reason)
    if reason in SUSPICIOUS_REFUSALS:
        _record_suspicious(ctx, application, reason, inquiry_number)
    return {"reason": reason, "label": label, "inquiry_number": records.inquiry_number(application.id),
            "message": f"回答書を受け付けられません: {label}{'（' + detail + '）' if detail else ''}。"
                       "回答期限までに改めて来庁していただけます"}


def _record_suspicious(ctx: ServiceContext, application: Application, reason: str, typed_text: str | None) -> None:
    typed = records.split_inquiry_number(typed_text)
    shown = typed.masked() if typed else (typed_text or "")[:40]
    ctx.session.add(AnswerRefusal(application_id=application.id, instance_id=ctx.instance_id,
                                  resident_id=application.resident_id, reason=reason, typed_number=shown,
                                  refused_at=ctx.now(), operator=ctx.actor))
    ctx.services.record_audit(ctx.session, Operator(ctx.actor), SUSPICIOUS_KIND, instance_id=ctx.instance_id,
                              title="4.1.4.6 回答書の不受理（不正のおそれ）",
                              summary={"application_id": application.id, "reason": reason,
                                       "label": ANSWER_REFUSALS[reason], "typed_number": shown})


def lapse(ctx: ServiceContext, application_id: int, reason: str, detail: str | None = None) -> Lapsed:
    """4.1.4: the application lapses (期限切れ, or 「申請していない」): closed with its reason, nothing registered."""
    application = _application(ctx, application_id)
    label = LAPSE_REASONS.get(reason, reason)
    records.close_application(ctx.session, ctx.instance_id, kind=records.INQUIRY_KIND,
                              resident_id=application.resident_id, status=LAPSED, reason=reason,
                              detail=f"{label}{'／' + detail if detail else ''}", operator=ctx.actor, at=ctx.now())
    return {"reason": reason, "label": label, "inquiry_number": records.inquiry_number(application.id),
            "lapsed_at": ctx.now().isoformat(timespec="seconds"), "message": f"申請は失効しました（{label}）"}


def cancel_application(ctx: ServiceContext, reason: str) -> InstanceCancelled:
    """An instance cancelled as started by mistake: its open application closes as 取消; refused once it registered."""
    if records.registration_made_by(ctx.session, ctx.instance_id) is not None:
        raise HandlerError("この事案では既に印鑑登録が行われているため取り消せません"
                           "（職権抹消・異動の取消しで対応してください）", code="already_registered_by_instance")
    application = records.application_of_instance(ctx.session, ctx.instance_id)
    if application is not None and application.closed_at is None:
        records.close_application(ctx.session, ctx.instance_id, kind=application.kind,
                                  resident_id=application.resident_id, status=CANCELLED, reason="cancelled",
                                  detail=reason, operator=ctx.actor, at=ctx.now())
    return {"cancelled": True}


def _application(ctx: ServiceContext, application_id: int) -> Application:
    application = ctx.session.get(Application, application_id)
    if application is None or application.kind != records.INQUIRY_KIND:
        raise HandlerError("照会による登録の申請が見つかりません", code="application_not_found")
    return application


OPERATORS = [
    ("inkan.inquiry.issue", "4.1.4.2", "照会書発行（照会番号・回答期限）", issue),
    ("inkan.inquiry.check_answer", "4.1.4.6", "回答登録（回答書と持参者の確認）", check_answer),
    ("inkan.inquiry.refuse_answer", "4.1.4.6", "回答書の不受理", refuse_answer),
    ("inkan.inquiry.lapse", "4.1.4", "申請の失効", lapse),
    ("inkan.instance.cancel", "4.1.4", "誤って開始した事案の取消", cancel_application),
]
