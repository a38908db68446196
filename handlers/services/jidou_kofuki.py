"""自動交付機 (issue 16.7): a 印鑑登録証 and its 5.2.4 暗証番号 at the machine in the city office → 印鑑登録証明書.

A request is logged (``jidou_request``) in its own transaction before anything is examined, then checked in this
order — the card names a registration, the PIN is set and not locked, the PIN matches (the third wrong entry in a
row locks it: counted on ``registration_pin``, shared with 5.3 at the counter, audited), the registration active
and not suspended (6.2.1) — and answered with the PDF (6.1, ``handlers.services.certificates``, channel ``jidou``) or a
refusal code with a Japanese reason. The PIN is checked before the registration's state, so a stranger holding a
card learns nothing about it. The PIN itself is never stored or logged. A lock is lifted by a clerk
(``unlock``, audited) or by a new PIN set in 5.3 (registry.seals.pin.reset_pin).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from handlers.base import HandlerError
from handlers.environment import HandlerServices, Operator
from handlers.services.certificates import issue_certificate
from registry.documents.certificates import REFUSALS as CERTIFICATE_REFUSALS
from registry.documents.certificates import certificate_refusal
from registry.jidou.models import JidouRequest
from registry.seals import pin
from registry.seals.cards import REGISTRATION_CARD, normalize_card_number, registration_by_card
from registry.seals.models import Registration

__all__ = ["REFUSALS", "JidouAnswer", "JidouQuestion", "serve", "unlock"]

MACHINE = Operator("jidou_kofuki")  # the machine: no staff role
TITLE = "自動交付機（5.2.4 暗証番号）"
REFUSALS = {
    "card_not_found": "この印鑑登録証は使えません（番号を確認できません）。市役所の窓口でお尋ねください",
    "pin_not_set": "暗証番号が設定されていません。窓口で暗証番号を設定してください（5.2.4）",
    "pin_mismatch": "暗証番号が一致しません",
    "pin_locked": "暗証番号を3回誤ったため、この登録証は自動交付機で使えません。窓口でロックの解除または暗証番号の再設定を受けてください",
    **CERTIFICATE_REFUSALS,
    "office_seal_missing": "公印の画像が設定されていないため交付できません（職員にお知らせください）",
}


@dataclass(frozen=True)
class JidouQuestion:
    """What the machine (or the simulated page) asks; ``pin`` is used once and never kept."""

    card_number: str
    pin: str
    channel: str = "api"  # 'api' | 'simulator'
    terminal: str | None = None


@dataclass(frozen=True)
class JidouAnswer:
    request_id: str
    issued: bool
    code: str  # 'issued' or a refusal code of REFUSALS
    message: str
    attempts_left: int | None = None  # after a wrong PIN
    pdf: bytes | None = None
    certificate_serial: str | None = None
    document_sha: str | None = None


def serve(session_factory: sessionmaker[Session], services: HandlerServices, question: JidouQuestion) -> JidouAnswer:
    """Log the request, answer it in a second transaction (a wrong PIN is counted even when refused), log the
    answer."""
    number = normalize_card_number(question.card_number)
    with session_factory.begin() as session:
        row = JidouRequest(request_id=uuid.uuid4().hex, channel=question.channel, card_number=number[:40],
                           terminal=(question.terminal or None) and question.terminal[:100])
        session.add(row)
        session.flush()
        row_id = row.id
    with session_factory.begin() as session:
        row = session.get_one(JidouRequest, row_id)
        answer = _answer(session, services, row, question.pin, complete=len(number) <= 40)
        row.outcome = "issued" if answer.issued else "refused"
        row.code, row.message, row.answered_at = answer.code, answer.message, services.utcnow()
    return answer


def _answer(session: Session, services: HandlerServices, row: JidouRequest, entered_pin: str, *,
            complete: bool) -> JidouAnswer:
    record = registration_by_card(session, row.card_number) if complete else None
    if record is None or record.card_kind != REGISTRATION_CARD:
        return _refused(row, "card_not_found")
    row.registration_id = record.id
    stored = pin.pin_of(session, record)
    if stored is None:
        return _refused(row, "pin_not_set")
    was_locked = stored.locked_at is not None
    check = pin.verify_pin(session, record, entered_pin, services.settings.pin_pepper)
    if not check.ok:
        return _pin_refusal(session, services, row, record, check, locked_now=check.locked and not was_locked)
    if refusal := certificate_refusal(record, services.today()):
        return _refused(row, refusal)
    try:
        with session.begin_nested():
            issued = issue_certificate(session, services, record.id, channel="jidou", actor=MACHINE)
    except HandlerError as exc:
        return JidouAnswer(row.request_id, False, exc.code, exc.message)
    row.document_sha = issued.blob_id
    return JidouAnswer(row.request_id, True, "issued", f"印鑑登録証明書を交付しました（証明書番号 {issued.serial}）",
                       pdf=issued.pdf, certificate_serial=issued.serial, document_sha=issued.blob_id)


def _pin_refusal(session: Session, services: HandlerServices, row: JidouRequest, record: Registration,
                 check: pin.PinCheck, *, locked_now: bool) -> JidouAnswer:
    """A wrong PIN is audited (the card, the machine, the count); the entry that locks it as pin_locked."""
    if check.locked and not locked_now:
        return _refused(row, "pin_locked")
    summary = {"registration_number": record.registration_number, "card_number": row.card_number,
               "terminal": row.terminal, "failures": check.failures, "request_id": row.request_id}
    services.record_audit(session, MACHINE, "pin_locked" if locked_now else "pin_mismatch", title=TITLE,
                          summary=summary)
    if locked_now:
        return _refused(row, "pin_locked")
    left = max(pin.MAX_FAILURES - check.failures, 0)
    return JidouAnswer(row.request_id, False, "pin_mismatch", f"{REFUSALS['pin_mismatch']}（あと{left}回でロック）",
                       attempts_left=left)


def _refused(row: JidouRequest, code: str) -> JidouAnswer:
    return JidouAnswer(row.request_id, False, code, REFUSALS.get(code, code))


def unlock(session: Session, services: HandlerServices, registration_id: int, actor, reason: str) -> None:
    """A clerk's or admin's release of a locked PIN (the resident proved who they are at the counter), audited.

    Raises HandlerError record_not_found | not_locked | reason_required.
    """
    if not (reason or "").strip():
        raise HandlerError("ロック解除の理由を入力してください", code="reason_required")
    record = session.get(Registration, registration_id)
    stored = pin.pin_of(session, record) if record is not None else None
    if record is None or stored is None:
        raise HandlerError("印鑑登録原票が見つかりません", code="record_not_found")
    if stored.locked_at is None:
        raise HandlerError("この登録証の暗証番号はロックされていません", code="not_locked")
    pin.unlock_pin(session, record, today=services.today(), operator=actor.username)
    services.record_audit(session, actor, "pin_unlocked", title=TITLE,
                          summary={"registration_number": record.registration_number, "reason": reason.strip()[:200]})
