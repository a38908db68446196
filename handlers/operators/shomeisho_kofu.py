"""6.1 印鑑登録証明書の交付 at the counter: the card read, the checks, the copies issued and the fee recorded.

A refusal is an answer, not an error: ``check_request`` returns {ok: False, reason, message} for the gateway and
the clerk (card not found or belonging to someone else, registration closed, issuance suspended (6.2.1), the My
Number card's certificate revoked / expired / unknown, J-LIS not answering). ``issue`` prints one certificate per
copy with ``handlers.services.certificates.issue_certificate`` (which refuses a closed or suspended record again) and
writes the counter row with the fee, all in the service task's transaction.
"""

from __future__ import annotations

from handlers.base import HandlerError, ServiceContext
from handlers.environment import Operator
from handlers.operators.registration import check_card
from handlers.results import (
    CardHolder,
    CertificateRequest,
    CertificatesIssued,
    IssueRefusal,
    IssueRefusalRecorded,
    RequestChecked,
)
from handlers.services.certificates import issue_certificate
from juki.errors import JlisUnavailable
from juki.jlis import normalize_serial
from registry.documents.certificates import REFUSALS as RECORD_REFUSALS
from registry.documents.certificates import certificate_refusal
from registry.documents.fees import CounterRequest, record_counter_issue
from registry.konbini.queries import registration_for_card
from registry.seals import records
from registry.seals.cards import registration_by_card

__all__ = ["MAX_COPIES", "OPERATORS", "REFUSALS", "check_request", "issue", "record_refusal"]

MAX_COPIES = 10
REFUSALS = {
    "card_not_found": "この登録証（番号）の印鑑登録が見つかりません。番号を確認してください",
    "card_mismatch": "提示された登録証は、申請書の方の印鑑登録のものではありません",
    "card_not_linked": "この個人番号カードは印鑑登録証として利用登録されていません（5.4）",
    "certificate_revoked": "個人番号カードの利用者証明用電子証明書が失効しています（5.4）",
    "certificate_expired": "個人番号カードの利用者証明用電子証明書の有効期限が切れています（5.4）",
    "certificate_unknown": "個人番号カードの利用者証明用電子証明書を確認できません（5.4）",
    "jlis_unavailable": "J-LIS が応答しないため電子証明書を確認できません。しばらくしてから再度受け付けてください",
    "bad_copies": f"交付通数は1〜{MAX_COPIES}通で指定してください",
    "withdrawn": "申請者が交付申請を取り下げました",
    **RECORD_REFUSALS,
}


def check_request(ctx: ServiceContext, resident_id: str, card_kind: str, copies: int, card_number: str | None = None,
                  mynumber_cert_serial: str | None = None) -> RequestChecked:
    """6.1: find the registration the presented card names and tell whether a certificate may be issued today."""
    copies = int(copies or 0)
    fee = ctx.services.settings.certificate_fee
    base: CertificateRequest = {"copies": copies, "fee_per_copy": fee, "fee_total": copies * fee, "card_kind": card_kind}
    if not 1 <= copies <= MAX_COPIES:
        return {**base, **_refused("bad_copies")}
    try:
        record, refusal = _record_of_card(ctx, card_kind, card_number, mynumber_cert_serial)
    except JlisUnavailable:
        return {**base, **_refused("jlis_unavailable")}
    if record is None:
        return {**base, **_refused(refusal or "card_not_found")}
    if record.resident_id != (resident_id or "").strip():  # another person's card: name no one, keep which card
        return {**base, "registration_id": record.id, **_refused("card_mismatch")}
    found: CardHolder = {"registration_id": record.id, "registration_number": record.registration_number, "name": record.name}
    ctx.subject.name, ctx.subject.resident_id = record.name, record.resident_id
    ctx.subject.registration_number = record.registration_number
    if refusal := refusal or certificate_refusal(record, ctx.today()):
        return {**base, **found, **_refused(refusal)}
    return {**base, **found, "ok": True, "reason": "ok",
            "message": f"{record.name}（登録番号 {record.registration_number}）の証明書を{copies}通交付できます"}


def _record_of_card(ctx: ServiceContext, card_kind: str, card_number: str | None, serial: str | None):
    """(registration or None, refusal code or None) for the card; the My Number card is checked with J-LIS."""
    if card_kind == "registration_card":
        return registration_by_card(ctx.session, card_number), None
    if card_kind != "mynumber_card":
        raise HandlerError(f"登録証の種別 {card_kind} は使えません", code="bad_card_kind")
    record = registration_for_card(ctx.session, normalize_serial(serial))
    if record is None:
        return None, "card_not_linked"
    status = check_card(ctx.session, ctx.services, record)
    return record, None if status is None or status.valid else f"certificate_{status.status}"


def issue(ctx: ServiceContext, registration_id: int, copies: int, resident_id: str | None = None,
          card_kind: str | None = None, applicant: str | None = None) -> CertificatesIssued:
    """6.1: print ``copies`` certificates (channel 窓口) and record the request with the fee collected."""
    copies = int(copies)
    if not 1 <= copies <= MAX_COPIES:
        raise HandlerError(REFUSALS["bad_copies"], code="bad_copies")
    actor = Operator(ctx.actor)
    issued = [issue_certificate(ctx.session, ctx.services, registration_id, channel="counter", actor=actor)
              for _ in range(copies)]
    request = _request(ctx, resident_id, card_kind, applicant, copies)
    row = record_counter_issue(ctx.session, request, outcome="issued", operator=ctx.actor,
                               registration_id=registration_id, serials=[c.serial for c in issued])
    record = records.get_registration(ctx.session, registration_id)
    ctx.printed.extend({"document": "6.1 印鑑登録証明書", "blob": c.blob_id, "filename": f"inkan_shomei_{c.serial}.pdf"}
                       for c in issued)
    return {"issued": True, "counter_issue_id": row.id, "copies": copies, "fee_per_copy": row.fee_per_copy,
            "fee_total": row.fee_total, "registration_number": record.registration_number,
            "certificates": [{"certificate_id": c.certificate_id, "serial": c.serial, "document_blob_id": c.blob_id}
                             for c in issued],
            "message": f"印鑑登録証明書を{copies}通発行しました（手数料 {row.fee_total:,}円）"}


def record_refusal(ctx: ServiceContext, reason: str, copies: int | None = None, resident_id: str | None = None,
                   card_kind: str | None = None, applicant: str | None = None,
                   registration_id: int | None = None) -> IssueRefusalRecorded:
    """6.1: the request ends without a certificate (refused or withdrawn); no fee is charged."""
    outcome = "withdrawn" if reason == "withdrawn" else "refused"
    request = _request(ctx, resident_id, card_kind, applicant, int(copies or 0))
    row = record_counter_issue(ctx.session, request, outcome=outcome, operator=ctx.actor,
                               registration_id=registration_id, refusal_code=reason)
    return {"counter_issue_id": row.id, "outcome": outcome, "reason": reason,
            "message": REFUSALS.get(reason, reason)}


def _request(ctx: ServiceContext, resident_id, card_kind, applicant, copies: int) -> CounterRequest:
    return CounterRequest(instance_id=ctx.instance_id, resident_id=resident_id, card_kind=card_kind,
                          applicant=applicant, copies=copies, fee_per_copy=ctx.services.settings.certificate_fee)


def _refused(code: str) -> IssueRefusal:
    return {"ok": False, "reason": code, "message": REFUSALS.get(code, code)}


OPERATORS = [
    ("inkan.certificate.check_request", "6.1", "交付申請の確認（登録証・5.4 電子証明書・停止）", check_request),
    ("inkan.certificate.issue_counter", "6.1", "印鑑登録証明書の交付（窓口）・手数料の記録", issue),
    ("inkan.certificate.record_refusal", "6.1", "交付できない申請の記録", record_refusal),
]
