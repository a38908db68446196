"""Job 11 コンビニ交付: answer a request of the J-LIS 証明書交付センター with a 印鑑登録証明書 or a refusal.

A request names the My Number card's 利用者証明用電子証明書 serial and the kind of certificate. It is logged
(``konbini_request``) in its own transaction before anything is examined, then checked in this order — kind,
service hours (JST), the certificate with J-LIS (5.4), a registration linked to that card, the registration
active and not suspended (6.2.1) — and answered with the PDF (6.1, ``handlers.services.certificates``) or a refusal
code with a Japanese reason. The answer is written to the same log row; a refused or failed issue leaves no
certificate behind. J-LIS not answering (down or slower than INKAN_JLIS_TIMEOUT) is the refusal
'jlis_unavailable': the kiosk tells the resident to try again later.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy.orm import Session, sessionmaker

from handlers.base import HandlerError
from handlers.environment import HandlerServices, Operator
from handlers.services.certificates import issue_certificate
from juki.errors import JlisUnavailable
from juki.jlis import normalize_serial
from registry.documents.certificates import REFUSALS as CERTIFICATE_REFUSALS
from registry.documents.certificates import certificate_refusal
from registry.konbini import queries
from registry.konbini.models import KonbiniRequest

__all__ = ["KINDS", "REFUSALS", "KonbiniAnswer", "KonbiniQuestion", "ServiceHours", "serve"]

log = logging.getLogger(__name__)
KINDS = {"inkan_certificate": "印鑑登録証明書"}
KONBINI = Operator("konbini")  # the 交付センター: no staff role
REFUSALS = {
    "unsupported_kind": "この証明書はコンビニ交付の対象外です（印鑑登録証明書のみ交付できます）",
    "closed_day": "本日はコンビニ交付の休止日です（年末年始など）",
    "outside_service_hours": "コンビニ交付の利用時間外です",
    "certificate_revoked": "個人番号カードの利用者証明用電子証明書が失効しています",
    "certificate_expired": "個人番号カードの利用者証明用電子証明書の有効期限が切れています",
    "certificate_unknown": "個人番号カードの利用者証明用電子証明書を確認できません",
    "jlis_unavailable": "J-LIS（地方公共団体情報システム機構）が応答しないため、電子証明書を確認できません"
                        "（しばらくしてから再度お試しください）",
    "card_not_linked": "この個人番号カードは印鑑登録証として利用登録されていません（市役所の窓口で手続きしてください）",
    **CERTIFICATE_REFUSALS,
}


@dataclass(frozen=True)
class ServiceHours:
    """When kiosks may issue: daily opening hours (JST) and closed calendar days (年末年始)."""

    opens: time = time(6, 30)
    closes: time = time(23, 0)
    closed_days: tuple[tuple[int, int], ...] = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))

    @classmethod
    def parse(cls, hours: str, closed_days: str) -> ServiceHours:
        """From "06:30-23:00" and "12-29,12-30,…"; raises ValueError with a Japanese message."""
        try:
            opens_text, closes_text = str(hours).split("-")
            opens, closes = time.fromisoformat(opens_text.strip()), _closing(closes_text.strip())
            days = tuple(_month_day(day) for day in str(closed_days).split(",") if day.strip())
        except ValueError:
            raise ValueError("コンビニ交付の利用時間は 06:30-23:00、休止日は 12-29,01-03 の形式で指定してください") \
                from None
        if opens >= closes:
            raise ValueError("コンビニ交付の開始時刻は終了時刻より前にしてください")
        return cls(opens, closes, days)

    def refusal(self, now: datetime) -> str | None:
        """'closed_day', 'outside_service_hours' or None for a local (JST) time."""
        if (now.month, now.day) in self.closed_days:
            return "closed_day"
        if not self.opens <= now.time() < self.closes:
            return "outside_service_hours"
        return None

    @property
    def label(self) -> str:
        closes = "24:00" if self.closes == time.max else self.closes.strftime("%H:%M")
        return f"{self.opens.strftime('%H:%M')}〜{closes}"


@dataclass(frozen=True)
class KonbiniQuestion:
    """What the 交付センター (or the kiosk page) asks."""

    cert_serial: str
    kind: str
    channel: str = "api"  # 'api' | 'kiosk'
    terminal: str | None = None


@dataclass(frozen=True)
class KonbiniAnswer:
    request_id: str
    issued: bool
    code: str  # 'issued' or a refusal code of REFUSALS
    message: str
    pdf: bytes | None = None
    certificate_serial: str | None = None
    document_sha: str | None = None  # the PDF's blob


def serve(session_factory: sessionmaker[Session], services: HandlerServices, question: KonbiniQuestion,
          hours: ServiceHours) -> KonbiniAnswer:
    """Log the request, answer it in a second transaction and log the answer."""
    serial = normalize_serial(question.cert_serial)
    with session_factory.begin() as session:
        row = KonbiniRequest(request_id=uuid.uuid4().hex, channel=question.channel,
                             cert_serial=serial[:60], kind=question.kind[:40],
                             terminal=(question.terminal or None) and question.terminal[:100])
        session.add(row)
        session.flush()
        request_id = row.id, row.request_id
    with session_factory.begin() as session:
        row = session.get_one(KonbiniRequest, request_id[0])
        answer = _answer(session, services, row, hours, complete=len(serial) <= 60 and len(question.kind) <= 40)
        row.outcome = "issued" if answer.issued else "refused"
        row.code, row.message, row.answered_at = answer.code, answer.message, services.clock().replace(tzinfo=None)
    return answer


def _answer(session: Session, services: HandlerServices, row: KonbiniRequest, hours: ServiceHours, *,
            complete: bool) -> KonbiniAnswer:
    # A serial or kind longer than its column was logged cut short; the cut value must not be served.
    refusal = _refusal_before_issue(session, services, row, hours) if complete else "certificate_unknown"
    if refusal is not None:
        return KonbiniAnswer(row.request_id, False, refusal, _message(refusal, hours))
    assert row.registration_id is not None  # _refusal_before_issue found the registration
    try:
        with session.begin_nested():
            issued = issue_certificate(session, services, row.registration_id, channel="konbini", actor=KONBINI)
    except HandlerError as exc:
        return KonbiniAnswer(row.request_id, False, exc.code, exc.message)
    row.document_sha = issued.blob_id
    return KonbiniAnswer(row.request_id, True, "issued", f"{KINDS[row.kind]}を交付しました（証明書番号 {issued.serial}）",
                         pdf=issued.pdf, certificate_serial=issued.serial, document_sha=issued.blob_id)


def _refusal_before_issue(session: Session, services: HandlerServices, row: KonbiniRequest,
                          hours: ServiceHours) -> str | None:
    """The first reason to refuse, in the order the checks cost and disclose least; sets registration_id."""
    if row.kind not in KINDS:
        return "unsupported_kind"
    if refusal := hours.refusal(services.now()):
        return refusal
    try:
        certificate = services.jlis.certificate_status(row.cert_serial, session=session)
    except JlisUnavailable as exc:  # the neighbour is down: refuse (logged with the row), the kiosk may ask again
        log.warning("konbini request %s refused, J-LIS unavailable: %s", row.request_id, exc.message)
        return "jlis_unavailable"
    if not certificate.valid:
        return f"certificate_{certificate.status}"
    record = queries.registration_for_card(session, row.cert_serial)
    if record is None:
        return "card_not_linked"
    row.registration_id = record.id
    return certificate_refusal(record, services.today())


def _message(code: str, hours: ServiceHours) -> str:
    if code == "outside_service_hours":
        return f"{REFUSALS[code]}（利用時間 {hours.label}）"
    return REFUSALS.get(code, code)


def _closing(text: str) -> time:
    return time.max if text == "24:00" else time.fromisoformat(text)


def _month_day(text: str) -> tuple[int, int]:
    month, day = (int(part) for part in text.strip().split("-"))
    datetime(2024, month, day)  # raises ValueError for an impossible day (2024: 02-29 allowed)
    return month, day
