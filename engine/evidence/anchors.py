"""Daily anchors: the head of each hash chain written down once a day, to a table and to a file kept elsewhere.

Whoever rewrites a chain must rewrite every hash after the change; an anchor copied off the machine makes that
visible, because the row at the anchored sequence number no longer has the anchored hash.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.db import Base, utcnow
from engine.evidence.chain import GENESIS, ChainSpec, chained, lock_heads, stamp_pending
from engine.evidence.tombstones import ChainTombstone

__all__ = ["AuditAnchor", "anchor_line", "anchor_mismatch", "anchors_of", "anchor_if_due", "write_anchors"]

OFFICE_TZ = timezone(timedelta(hours=9), "JST")  # an anchor's day is the office's calendar day


class AuditAnchor(Base):
    """The head of one chain on one day."""

    __tablename__ = "audit_anchor"
    __table_args__ = (UniqueConstraint("chain", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(40))
    day: Mapped[date]
    seq: Mapped[int]
    head_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))


def write_anchors(session: Session, day: date, by: str) -> list[AuditAnchor]:
    """Anchor every chain for `day` (once: an existing anchor of that day is returned unchanged).

    Every chain head is locked first, and the caller's own new chained rows are linked: the anchors show one
    moment, and a second writer of the same day (another worker, `inkan audit anchor`) waits here and then finds
    these anchors instead of inserting its own."""
    heads = stamp_pending(session, all_heads=True)
    anchors = []
    for spec in chained():
        existing = session.scalars(select(AuditAnchor).where(AuditAnchor.chain == spec.name,
                                                             AuditAnchor.day == day)).first()
        if existing is None:
            seq, head_hash = heads.get(spec.name, (0, GENESIS))
            existing = AuditAnchor(chain=spec.name, day=day, seq=seq, head_hash=head_hash, created_by=by)
            session.add(existing)
            session.flush()
        anchors.append(existing)
    return anchors


def anchors_of(session: Session, chain: str | None = None, limit: int = 60) -> list[AuditAnchor]:
    query = select(AuditAnchor).order_by(AuditAnchor.day.desc(), AuditAnchor.chain).limit(limit)
    if chain:
        query = query.where(AuditAnchor.chain == chain)
    return list(session.scalars(query))


def anchor_line(anchor: AuditAnchor) -> str:
    """One line for the operator's copy: day, chain, seq, hash (tab-separated)."""
    return f"{anchor.day.isoformat()}\t{anchor.chain}\t{anchor.seq}\t{anchor.head_hash}"


def anchor_mismatch(session: Session, spec: ChainSpec) -> AuditAnchor | None:
    """The oldest anchor whose row no longer carries the anchored hash (or no longer exists)."""
    model = spec.model
    for anchor in sorted(anchors_of(session, spec.name, limit=10_000), key=lambda a: a.day):
        if anchor.seq == 0:
            continue
        stored = session.scalar(select(model.row_hash).where(model.chain_seq == anchor.seq))
        if stored is None:  # the anchored row was purged: its tombstone keeps its hash
            stored = session.scalar(select(ChainTombstone.row_hash).where(ChainTombstone.chain == spec.name,
                                                                          ChainTombstone.chain_seq == anchor.seq))
        if stored != anchor.head_hash:
            return anchor
    return None


def anchor_if_due(session: Session, by: str = "worker", *, day: date | None = None) -> bool:
    """Write today's anchors unless they exist (every worker calls this every round); True when this call wrote
    them. The check is a plain read; only when it finds none are the chain heads locked and the check repeated,
    so of several workers starting the day together exactly one writes."""
    day = day or datetime.now(OFFICE_TZ).date()
    if _anchored(session, day):
        return False
    lock_heads(session)
    if _anchored(session, day):
        return False
    write_anchors(session, day, by)
    return True


def _anchored(session: Session, day: date) -> bool:
    return session.scalars(select(AuditAnchor.id).where(AuditAnchor.day == day)).first() is not None
