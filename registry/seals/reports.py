"""Reports on the registry's tables: refused applications by reason and 6.1 certificates issued per day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Date, cast, func, inspect, literal_column, select
from sqlalchemy.orm import Session

from registry.seals.models import Application, IssuedDocument

__all__ = ["certificates_per_day", "refusals_by_reason"]

OFFICE_OFFSET = timedelta(hours=9)  # stored times are naive UTC; days are the office's (JST) days


def refusals_by_reason(session: Session, start: datetime, end: datetime) -> list[tuple[str, int]]:
    """Applications closed as refused in [start, end) (naive UTC), per reason code, most frequent first."""
    count = func.count()
    query = (select(Application.reason, count)
             .where(Application.status == "refused", Application.closed_at >= start, Application.closed_at < end)
             .group_by(Application.reason).order_by(count.desc(), Application.reason))
    return [(reason or "", n) for reason, n in session.execute(query)]


def certificates_per_day(session: Session, day_from: date, day_to: date) -> list[tuple[date, str, int]]:
    """(day, channel, count) of 6.1 certificates; channel is counter | konbini.

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
