"""Reports on the registry's tables: refusals by reason (applications and 6.1 certificate requests), 6.1
certificates issued per day, the 「申請していない」 answers of 4.1.4 (suspected fraud) and the 4.1.4.6 answers refused
because they did not come through the mailed letter (possible fraud attempts)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Date, cast, func, inspect, literal_column, select
from sqlalchemy.orm import Session

from registry.documents.fees import CounterIssue
from registry.jidou.models import JidouRequest
from registry.konbini.models import KonbiniRequest
from registry.seals.models import AnswerRefusal, Application, IssuedDocument
from registry.seals.records import INQUIRY_KIND

__all__ = ["NOT_APPLIED", "answer_refusals", "answer_refusals_of", "certificate_refusals", "certificates_per_day", "fraud_suspicions", "fraud_suspicions_of",
           "refusals_by_reason"]

NOT_APPLIED = "not_applied"  # 4.1.4.6: the answer says 「申請していない」 (handlers.operators.shoukai_touroku.LAPSE_REASONS)
OFFICE_OFFSET = timedelta(hours=9)  # stored times are naive UTC; days are the office's (JST) days


def refusals_by_reason(session: Session, start: datetime, end: datetime) -> list[tuple[str, str, int]]:
    """Applications closed as refused in [start, end): (kind '4.1.2' …, reason code, count).

    An application's closed_at is the office's wall time (JST), as the handlers write it (ServiceContext.now()).
    """
    count = func.count()
    query = (select(Application.kind, Application.reason, count)
             .where(Application.status == "refused", Application.closed_at >= start, Application.closed_at < end)
             .group_by(Application.kind, Application.reason).order_by(count.desc(), Application.reason))
    return [(kind, reason or "", n) for kind, reason, n in session.execute(query)]


def certificate_refusals(session: Session, start: datetime, end: datetime) -> list[tuple[str, str, int]]:
    """6.1 requests refused in [start, end) (naive UTC): (channel counter | konbini | jidou, refusal code, count)."""
    count = func.count()
    counter = (select(CounterIssue.refusal_code, count)
               .where(CounterIssue.outcome == "refused", CounterIssue.recorded_at >= start,
                      CounterIssue.recorded_at < end).group_by(CounterIssue.refusal_code))
    konbini = (select(KonbiniRequest.code, count)
               .where(KonbiniRequest.outcome == "refused", KonbiniRequest.received_at >= start,
                      KonbiniRequest.received_at < end).group_by(KonbiniRequest.code))
    rows = [("counter", code or "", n) for code, n in session.execute(counter)]
    rows += [("konbini", code or "", n) for code, n in session.execute(konbini)]
    jidou = (select(JidouRequest.code, count)
             .where(JidouRequest.outcome == "refused", JidouRequest.received_at >= start,
                    JidouRequest.received_at < end).group_by(JidouRequest.code))
    rows += [("jidou", code or "", n) for code, n in session.execute(jidou)]
    return sorted(rows, key=lambda row: (-row[2], row[0], row[1]))


def fraud_suspicions(session: Session, start: datetime, end: datetime) -> list[Application]:
    """4.1.4 applications the resident answered 「申請していない」, lapsed in [start, end) (office wall time, JST),
    newest first."""
    return list(session.scalars(_not_applied().where(Application.closed_at >= start, Application.closed_at < end)
                                .order_by(Application.closed_at.desc())))


def fraud_suspicions_of(session: Session, resident_id: str) -> list[Application]:
    """The person's 4.1.4 applications answered 「申請していない」 (someone applied in their name), newest first."""
    return list(session.scalars(_not_applied().where(Application.resident_id == resident_id)
                                .order_by(Application.closed_at.desc())))


def answer_refusals(session: Session, start: datetime, end: datetime) -> list[AnswerRefusal]:
    """4.1.4.6 answers refused as not coming through the mailed letter in [start, end) (office wall time, JST),
    newest first."""
    return list(session.scalars(select(AnswerRefusal).where(AnswerRefusal.refused_at >= start,
                                                            AnswerRefusal.refused_at < end)
                                .order_by(AnswerRefusal.refused_at.desc(), AnswerRefusal.id.desc())))


def answer_refusals_of(session: Session, resident_id: str) -> list[AnswerRefusal]:
    """Such refused answers for applications in the person's name, newest first."""
    return list(session.scalars(select(AnswerRefusal).where(AnswerRefusal.resident_id == resident_id)
                                .order_by(AnswerRefusal.refused_at.desc(), AnswerRefusal.id.desc())))


def _not_applied():
    return select(Application).where(Application.kind == INQUIRY_KIND, Application.reason == NOT_APPLIED)


def certificates_per_day(session: Session, day_from: date, day_to: date) -> list[tuple[date, str, int]]:
    """(day, channel, count) of 6.1 certificates; channel is counter | konbini | jidou (自動交付機).

    Certificates are counted from issued_certificate (issued_at is the printed JST wall time) when that table
    exists; before it does, from the printed documents whose kind is the 6.1 certificate (counter only).
    """
    if inspect(session.connection()).has_table("issued_certificate"):  # same connection: no second lock
        from registry.documents.models import IssuedCertificate

        day = _day(session, IssuedCertificate.issued_at, offset=False)
        start = datetime.combine(day_from, datetime.min.time())
        end = datetime.combine(day_to + timedelta(days=1), datetime.min.time())
        query = (select(day, IssuedCertificate.channel, func.count())
                 .where(IssuedCertificate.issued_at >= start, IssuedCertificate.issued_at < end)
                 .group_by(day, IssuedCertificate.channel).order_by(day, IssuedCertificate.channel))
    else:
        day = _day(session, IssuedDocument.printed_at, offset=True)
        start = datetime.combine(day_from, datetime.min.time()) - OFFICE_OFFSET
        end = datetime.combine(day_to + timedelta(days=1), datetime.min.time()) - OFFICE_OFFSET
        query = (select(day, literal_column("'counter'"), func.count())
                 .where(IssuedDocument.kind.like("%印鑑登録証明書%"), IssuedDocument.printed_at >= start,
                        IssuedDocument.printed_at < end).group_by(day).order_by(day))
    return [(_as_date(d), channel, n) for d, channel, n in session.execute(query)]


def _day(session: Session, column, *, offset: bool):
    if session.get_bind().dialect.name == "postgresql":
        return cast(column + OFFICE_OFFSET, Date) if offset else cast(column, Date)
    return func.date(column, "+9 hours") if offset else func.date(column)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
