"""6.1 印鑑登録証明書の交付 (counter and コンビニ交付) and the public check of a certificate's QR code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import printing
from handlers.base import HandlerError
from handlers.environment import HandlerServices
from handlers.services.sheets import printing_impression, printing_office, printing_record
from registry.blobs.store import get_blob, put_blob
from registry.documents.certificates import (
    REFUSALS,
    certificate_by_serial,
    certificate_refusal,
    next_certificate_serial,
)
from registry.documents.models import IssuedCertificate
from registry.errors import RecordNotFound
from registry.seals.models import Impression, RecordStatus, Registration

__all__ = ["CHANNELS", "REFUSAL_LABELS", "CertificateCheck", "IssuedCertificateResult", "issue_certificate", "verify_certificate"]

# Every channel that issues certificates goes through issue_certificate (so through certificate_refusal): a
# 自動交付機 is added here, and tests/webui/test_lost_card.py fails until it is asked in the lost-card sequence.
CHANNELS = {"counter": "窓口", "konbini": "コンビニ交付", "jidou": "自動交付機"}
# Short labels of the refusal codes of 6.1 at the counter (handlers.operators.shomeisho_kofu), コンビニ交付
# (handlers.services.konbini) and the 自動交付機 (handlers.services.jidou_kofuki),
# for the auditors' 却下理由 table.
REFUSAL_LABELS = {
    "card_not_found": "登録証の番号に該当なし", "card_mismatch": "他人の登録証", "card_not_linked": "個人番号カードの利用登録なし",
    "certificate_revoked": "電子証明書の失効", "certificate_expired": "電子証明書の期限切れ",
    "certificate_unknown": "電子証明書を確認できない", "jlis_unavailable": "J-LIS の応答なし", "bad_copies": "交付通数の誤り",
    "registration_closed": "廃止・抹消済みの登録", "issuance_suspended": "交付の一時停止中",
    "unsupported_kind": "対象外の証明書", "closed_day": "コンビニ交付の休止日", "outside_service_hours": "利用時間外",
    "office_seal_missing": "公印の画像なし",
    "pin_not_set": "暗証番号が未設定", "pin_mismatch": "暗証番号の誤り", "pin_locked": "暗証番号のロック",
}
TITLE = "6.1 印鑑登録証明書"
MAX_PAYLOAD_CHARS = 300
_PAYLOAD = re.compile(r"v1\.[A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class IssuedCertificateResult:
    """One issued certificate: its serial, the PDF and the blob that keeps it."""

    certificate_id: int
    serial: str
    pdf: bytes
    blob_id: str
    issued_at: datetime
    registration_number: str


def issue_certificate(session, services: HandlerServices, registration_id: int, *, channel: str,
                      actor: Any) -> IssuedCertificateResult:
    """6.1: print a 印鑑登録証明書 of an active registration and record it (row + audit event).

    ``actor`` has ``username`` and ``role`` (engine.actor.Actor, handlers.environment.Operator). Raises HandlerError:
    invalid_channel, record_not_found, registration_closed, issuance_suspended, office_seal_missing, or the
    printing error's code. Nothing is written when it raises.
    """
    if channel not in CHANNELS:
        raise HandlerError(f"交付の窓口 {channel} は使えません", code="invalid_channel")
    record = session.get(Registration, registration_id)
    if record is None:
        raise HandlerError("印鑑登録原票が見つかりません", code="record_not_found")
    if refusal := certificate_refusal(record, services.today()):
        raise HandlerError(REFUSALS[refusal], code=refusal)
    office = services.office(session)
    if not office.office_seal_blob:
        raise HandlerError("公印の画像が設定されていません。管理者が市区町村設定で登録してください",
                           code="office_seal_missing")
    issued_at = services.now().replace(microsecond=0)
    sequence, serial = next_certificate_serial(session, issued_at.year)
    pdf = _render(session, services, record, office, serial, issued_at)
    blob = put_blob(session, pdf, "application/pdf", filename=f"inkan_shomei_{serial}.pdf",
                    created_by=actor.username)
    row = IssuedCertificate(serial=serial, year=issued_at.year, sequence=sequence, registration_id=record.id,
                            channel=channel, issued_at=issued_at, issued_by=actor.username, blob_sha256=blob)
    session.add(row)
    session.flush()
    services.record_audit(session, actor, "certificate_issued", title=TITLE,
                          summary={"serial": serial, "registration_number": record.registration_number,
                                   "channel": channel, "blob": blob, "certificate_id": row.id})
    return IssuedCertificateResult(row.id, serial, pdf, blob, issued_at, record.registration_number)


def _render(session, services: HandlerServices, record: Registration, office, serial: str,
            issued_at: datetime) -> bytes:
    impression = session.get(Impression, record.impression_id)
    payload = printing.certificate_payload(serial, issued_at, record.registration_number, services.certificate_key)
    qr = f"{services.certificate_verify_url(office)}?{urlencode({'p': payload})}"  # a phone's camera opens it
    request = printing.CertificateRequest(record=printing_record(record),
                                          impression=printing_impression(session, impression), serial=serial,
                                          issued_at=issued_at, qr_payload=qr)
    try:
        return printing.certificate(request, printing_office(office),
                                    office_seal_png=get_blob(session, office.office_seal_blob).data,
                                    show_sex=office.show_sex)
    except printing.PrintingError as exc:
        raise HandlerError(exc.message, code=exc.code) from exc


@dataclass(frozen=True)
class CertificateCheck:
    """What /verify may say about a certificate: never the impression, never the address."""

    genuine: bool
    reason: str  # ok | empty | malformed | signature_invalid | unknown_serial | record_mismatch
    message: str
    serial: str | None = None
    name: str | None = None
    issued_at: datetime | None = None
    still_active: bool | None = None
    status_label: str | None = None


CHECK_MESSAGES = {
    "ok": "本市が発行した印鑑登録証明書です",
    "empty": "QRコードの内容を入力してください",
    "malformed": "QRコードの内容の形式が正しくありません",
    "signature_invalid": "署名が一致しません（内容が書き換えられたか、本市が発行したものではありません）",
    "unknown_serial": "この証明書番号の発行記録がありません",
    "record_mismatch": "発行記録と内容が一致しません",
}


def verify_certificate(session, services: HandlerServices, text: str | None) -> CertificateCheck:
    """Check a QR payload (or a /verify?p=… URL holding one) against the key and the issued certificates."""
    payload = _payload_of(text)
    if payload is None:
        return _refused("empty" if not (text or "").strip() else "malformed")
    claims = printing.verify_certificate_payload(payload, services.certificate_key)
    if claims is None:
        return _refused("signature_invalid")
    issued = certificate_by_serial(session, str(claims["serial"]))
    if issued is None:
        return _refused("unknown_serial")
    record = session.get(Registration, issued.registration_id)
    if record.registration_number != claims["registration_number"] or issued.issued_at != claims["issued_at"]:
        return _refused("record_mismatch")
    active = record.status == RecordStatus.REGISTERED
    return CertificateCheck(True, "ok", CHECK_MESSAGES["ok"], serial=issued.serial, name=record.name,
                            issued_at=issued.issued_at, still_active=active,
                            status_label="有効（登録中）" if active else "現在は無効（廃止・抹消済み）")


def certificate_row(session, certificate_id: int) -> IssuedCertificate:
    row = session.get(IssuedCertificate, certificate_id)
    if row is None:
        raise RecordNotFound("証明書が見つかりません")
    return row


def _payload_of(text: str | None) -> str | None:
    value = (text or "").strip()
    if not value or len(value) > MAX_PAYLOAD_CHARS:
        return None
    if "://" in value or value.startswith("/"):
        value = (parse_qs(urlsplit(value).query).get("p") or [""])[0]
    return value if _PAYLOAD.fullmatch(value) else None


def _refused(reason: str) -> CertificateCheck:
    return CertificateCheck(False, reason, CHECK_MESSAGES[reason])
