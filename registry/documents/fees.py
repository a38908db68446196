"""6.1 at the counter: one row per request (issued, refused or withdrawn) with the copies and the fee collected."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from registry.db import Base, utcnow

__all__ = ["CounterIssue", "CounterRequest", "counter_issues_of_instance", "record_counter_issue"]

OUTCOMES = {"issued": "交付", "refused": "交付拒否", "withdrawn": "取下げ"}


class CounterIssue(Base):
    """A counter request for 印鑑登録証明書: how it ended, how many copies and what fee was collected."""

    __tablename__ = "certificate_counter_issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"), index=True)
    resident_id: Mapped[str | None] = mapped_column(String(40), index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # issued | refused | withdrawn
    refusal_code: Mapped[str | None] = mapped_column(String(40))
    card_kind: Mapped[str | None] = mapped_column(String(30))
    applicant: Mapped[str | None] = mapped_column(String(20))  # self | proxy
    copies: Mapped[int] = mapped_column(default=0)
    fee_per_copy: Mapped[int] = mapped_column(default=0)
    fee_total: Mapped[int] = mapped_column(default=0)  # yen actually collected (0 when nothing was issued)
    serials_json: Mapped[str] = mapped_column(Text, default="[]")
    operator: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class CounterRequest:
    """What the counter took: whose card, how many copies, who applied."""

    instance_id: int | None
    resident_id: str | None
    card_kind: str | None
    applicant: str | None
    copies: int
    fee_per_copy: int


def record_counter_issue(session: Session, request: CounterRequest, *, outcome: str, operator: str,
                         registration_id: int | None = None, refusal_code: str | None = None,
                         serials: list[str] | None = None) -> CounterIssue:
    """Write the request's outcome; the fee is charged only for copies actually issued."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome}")
    issued = len(serials or [])
    row = CounterIssue(instance_id=request.instance_id, registration_id=registration_id,
                       resident_id=request.resident_id, outcome=outcome, refusal_code=refusal_code,
                       card_kind=request.card_kind, applicant=request.applicant, copies=request.copies,
                       fee_per_copy=request.fee_per_copy, fee_total=issued * request.fee_per_copy,
                       serials_json=json.dumps(serials or []), operator=operator)
    session.add(row)
    session.flush()
    return row


def counter_issues_of_instance(session: Session, instance_id: int) -> list[CounterIssue]:
    return list(session.scalars(select(CounterIssue).where(CounterIssue.instance_id == instance_id)
                                .order_by(CounterIssue.id)))
