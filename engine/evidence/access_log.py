"""Access log: every view of a person's data, with who looked and why (the purpose chosen for that person and case).

Rows are append-only and hash-chained like audit events, so a deleted or edited view shows up in the check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Index, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.actor import Actor
from engine.db import Base, utcnow
from engine.evidence.chain import ChainSpec, chain_model
from engine.models import ProcessInstance

__all__ = ["PURPOSES", "AccessEntry", "AccessQuery", "log_view", "search_access", "subjects_of_instances"]

# Why a clerk or auditor opens a person's data; "other" needs a note.
PURPOSES = {
    "counter_application": "窓口での申請・届出の受付",
    "certificate": "証明書の交付",
    "office_investigation": "職権による調査・修正",
    "resident_inquiry": "本人からの問い合わせ対応",
    "audit": "監査・点検",
    "other": "その他（内容を記入）",
}
MAX_NOTE = 200


class AccessEntry(Base):
    """One view of one person's data: who, role, when, what was shown, and the purpose given."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_resident_at", "resident_id", "at"),
                      Index("ix_access_log_actor_at", "actor", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    actor_role: Mapped[str | None] = mapped_column(String(30))
    resident_id: Mapped[str] = mapped_column(String(40))
    what: Mapped[str] = mapped_column(String(100))  # "2.2.1 登録内容照会", "事案", "帳票" …
    target: Mapped[str | None] = mapped_column(String(100))  # instance id, document sha …
    purpose: Mapped[str] = mapped_column(String(40))
    purpose_note: Mapped[str | None] = mapped_column(String(MAX_NOTE))
    chain_seq: Mapped[int | None] = mapped_column(unique=True, index=True)
    row_hash: Mapped[str | None] = mapped_column(String(64))


chain_model(ChainSpec("access_log", AccessEntry,
                      ("at", "actor", "actor_role", "resident_id", "what", "target", "purpose", "purpose_note"),
                      (("at", utcnow),)))


def log_view(session: Session, actor: Actor, resident_id: str, what: str, purpose: str, *,
             target: str | None = None, note: str | None = None) -> AccessEntry:
    """Add one access-log row to the caller's unit of work (the caller commits)."""
    entry = AccessEntry(actor=actor.username, actor_role=actor.role, resident_id=str(resident_id)[:40],
                        what=what[:100], target=(str(target)[:100] if target is not None else None),
                        purpose=purpose[:40], purpose_note=(note or None) and note[:MAX_NOTE])
    session.add(entry)
    return entry


def subjects_of_instances(session: Session, instance_ids: list[int]) -> list[str]:
    """The people (住民ID) a list of cases names, in one query: a list showing their names logs each of them."""
    if not instance_ids:
        return []
    return list(session.scalars(select(ProcessInstance.subject_resident_id)
                                .where(ProcessInstance.id.in_(set(instance_ids)),
                                       ProcessInstance.subject_resident_id.is_not(None))))


@dataclass(frozen=True)
class AccessQuery:
    resident_id: str | None = None
    actor: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None  # exclusive
    limit: int = 50
    offset: int = 0


def search_access(session: Session, query: AccessQuery) -> tuple[list[AccessEntry], int]:
    """Access-log rows, newest first, by person and / or by clerk, with the total count."""
    conditions = []
    if query.resident_id:
        conditions.append(AccessEntry.resident_id == query.resident_id)
    if query.actor:
        conditions.append(AccessEntry.actor == query.actor)
    if query.date_from:
        conditions.append(AccessEntry.at >= query.date_from)
    if query.date_to:
        conditions.append(AccessEntry.at < query.date_to)
    total = session.scalar(select(func.count()).select_from(AccessEntry).where(*conditions)) or 0
    rows = session.scalars(select(AccessEntry).where(*conditions).order_by(AccessEntry.at.desc(),
                                                                             AccessEntry.id.desc())
                           .limit(query.limit).offset(query.offset))
    return list(rows), total
