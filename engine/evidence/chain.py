"""Hash chains over append-only tables: each row carries sha256(previous row's hash + its own content).

A chained table has two columns, `chain_seq` (1, 2, 3 … with no gaps) and `row_hash`. One `before_flush` hook
stamps every new row of every chained model, so no writer can forget it. The chain head (last seq and hash) lives
in `chain_head`; a flush that appends locks ALL head rows in name order (SELECT … FOR UPDATE on PostgreSQL, the
write lock that BEGIN IMMEDIATE already holds on SQLite), so concurrent writers append one after another and never
deadlock on each other's heads. A savepoint that rolls back takes its rows and its head update with it.

The content is rendered field by field as `len:text` (or `-` for NULL), joined by U+001F, so PostgreSQL can
recompute the same bytes in SQL (engine/evidence/verify.py) without a JSON canonicaliser.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.db import Base, utcnow

__all__ = ["GENESIS", "ChainHead", "ChainSpec", "chain_model", "chained", "content_text", "link_hash", "lock_heads"]

GENESIS = "0" * 64
SEPARATOR = "\x1f"
NULL = "-"


class ChainHead(Base):
    """The newest link of one chain; its row is the lock every appender takes."""

    __tablename__ = "chain_head"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
    updated_at: Mapped[datetime | None]


@dataclass(frozen=True)
class ChainSpec:
    """A chained table: its chain name, the mapped class, and the columns whose values the hash covers."""

    name: str
    model: type[Any]  # a mapped class with id, chain_seq, row_hash (the columns are reached by name)
    fields: tuple[str, ...]
    defaults: tuple[tuple[str, Any], ...] = ()  # column defaults applied before hashing (callables are called)

    @property
    def table(self) -> str:
        return self.model.__tablename__


_CHAINS: dict[type, ChainSpec] = {}


def chain_model(spec: ChainSpec) -> None:
    """Chain a model's new rows from now on (idempotent)."""
    _CHAINS[spec.model] = spec


def chained() -> list[ChainSpec]:
    """Every chained table, by chain name."""
    return sorted(_CHAINS.values(), key=lambda spec: spec.name)


def render(value: Any) -> str:
    """One field as text, the same way engine/evidence/verify.py renders it in SQL."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        text = "1" if value else "0"
    elif isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S.%f")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return f"{len(text)}:{text}"


def content_text(values: list[Any]) -> str:
    return SEPARATOR.join(render(value) for value in values)


def link_hash(previous: str, values: list[Any]) -> str:
    """sha256 hex of the previous hash followed by the row's rendered content."""
    return hashlib.sha256((previous + content_text(values)).encode("utf-8")).hexdigest()


@event.listens_for(Session, "before_flush")
def _stamp_new_rows(session: Session, _context, _instances) -> None:
    pending: dict[str, list] = {}
    for obj in session.new:
        spec = _CHAINS.get(type(obj))
        if spec is not None and getattr(obj, "row_hash", None) is None:
            pending.setdefault(spec.name, []).append((spec, obj))
    if not pending:
        return
    with session.no_autoflush:
        heads = lock_heads(session)
        for name in sorted(pending):
            seq, last = heads.get(name, (0, GENESIS))
            # session.new is a set: order the rows by when they were added, as the writer meant them
            for spec, obj in sorted(pending[name], key=lambda item: _added_order(session, item[1])):
                _apply_defaults(spec, obj)
                seq += 1
                obj.chain_seq = seq
                obj.row_hash = last = link_hash(last, [seq, *(getattr(obj, f) for f in spec.fields)])
            session.execute(update(ChainHead).where(ChainHead.name == name)
                            .values(last_seq=seq, last_hash=last, updated_at=utcnow()))


def lock_heads(session: Session) -> dict[str, tuple[int, str]]:
    """Lock every chain head (name order) for the rest of the transaction; return (last seq, last hash) by name.

    Writers that lock other rows too take them in the runner's order — inbox rows, chain heads, the instance —
    so two transactions never wait on each other in a circle."""
    rows = session.execute(select(ChainHead.name, ChainHead.last_seq, ChainHead.last_hash)
                           .order_by(ChainHead.name).with_for_update())
    return {name: (seq, last) for name, seq, last in rows}


def _added_order(session: Session, obj) -> int:
    state = obj._sa_instance_state
    return getattr(state, "insert_order", None) or 0


def _apply_defaults(spec: ChainSpec, obj) -> None:
    for name, default in spec.defaults:
        if getattr(obj, name) is None:
            setattr(obj, name, default() if callable(default) else default)
