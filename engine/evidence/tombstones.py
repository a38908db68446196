"""Tombstones: how rows leave a hash chain (a purge after the retention period) without breaking it.

A chained row that must go (a 除票's history after its retention period) is first replaced by a tombstone that
keeps its sequence number and its hash; the row can then be deleted (the database refuses to delete a history row
that has no tombstone). The chain still verifies: the walk takes the tombstone's hash as the link it stands for.
The tombstones of one batch are anchored in the audit chain: a `chain_tombstones` audit event records how many
there are and the sha256 of their `seq:hash` lines, which engine/evidence/verify.py recomputes — a tombstone added later
to hide a deleted row has no such event, and a changed one no longer matches it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.actor import Actor
from engine.db import Base, utcnow
from engine.evidence import audit
from engine.evidence.chain import ChainSpec
from engine.models import AuditEvent

__all__ = ["TOMBSTONE_EVENT", "ChainTombstone", "TombstoneBatch", "anchored_batches", "batch_digest",
           "bury_rows", "tombstones_of"]

TOMBSTONE_EVENT = "chain_tombstones"


class ChainTombstone(Base):
    """One purged row of a chain: its place (seq), the hash it had, and the batch that purged it."""

    __tablename__ = "chain_tombstone"

    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    chain_seq: Mapped[int] = mapped_column(primary_key=True)
    row_id: Mapped[int]
    row_hash: Mapped[str] = mapped_column(String(64))
    batch: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class TombstoneBatch:
    chain: str
    batch: str
    count: int
    digest: str


def batch_digest(links: list[tuple[int, str]]) -> str:
    """sha256 hex of the batch's 「seq:hash」 lines in sequence order."""
    lines = "\n".join(f"{seq}:{row_hash}" for seq, row_hash in sorted(links))
    return hashlib.sha256(lines.encode("ascii")).hexdigest()


def bury_rows(session: Session, spec: ChainSpec, row_ids: list[int], *, batch: str, actor: Actor,
              title: str) -> TombstoneBatch:
    """Replace the chained rows by tombstones, delete them, and anchor the batch with an audit event."""
    model = spec.model
    links = [(seq, row_hash, row_id) for row_id, seq, row_hash in session.execute(
        select(model.id, model.chain_seq, model.row_hash).where(model.id.in_(row_ids)))]
    session.add_all(ChainTombstone(chain=spec.name, chain_seq=seq, row_id=row_id, row_hash=row_hash, batch=batch)
                    for seq, row_hash, row_id in links)
    session.flush()
    if row_ids:
        session.execute(delete(model).where(model.id.in_(row_ids)))
    digest = batch_digest([(seq, row_hash) for seq, row_hash, _ in links])
    audit.record(session, actor, TOMBSTONE_EVENT, title=title,
                 summary={"chain": spec.name, "batch": batch, "count": len(links), "digest": digest})
    return TombstoneBatch(spec.name, batch, len(links), digest)


def tombstones_of(session: Session, chain: str) -> list[ChainTombstone]:
    return list(session.scalars(select(ChainTombstone).where(ChainTombstone.chain == chain)
                                .order_by(ChainTombstone.chain_seq)))


def anchored_batches(session: Session, chain: str) -> dict[str, TombstoneBatch]:
    """The batches the audit chain records for `chain`, by batch name."""
    out = {}
    for summary in session.scalars(select(AuditEvent.summary_json).where(AuditEvent.kind == TOMBSTONE_EVENT)):
        data = json.loads(summary or "{}")
        if data.get("chain") == chain:
            out[data["batch"]] = TombstoneBatch(chain, data["batch"], int(data["count"]), data["digest"])
    return out
