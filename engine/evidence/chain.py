"""Hash chains over append-only tables: each row carries sha256(previous row's hash + its own content).

A chained table has two columns, `chain_seq` (1, 2, 3 … with no gaps) and `row_hash`. Every new row of every chained
model is inserted without them, and stamped when the transaction commits (a `before_commit` hook, so no writer can
forget it): one UPDATE per table fills them in, the one change the append-only triggers allow (migration 0028; on
PostgreSQL a deferred trigger also refuses to commit a row left without them). The chain head (last seq and hash)
lives in `chain_head`; the stamping locks the heads of the chains appended to, in name order (SELECT … FOR UPDATE on
PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the write lock), so concurrent writers append one after another
and never deadlock on each other's heads. The lock is held from the stamping to the commit only, not through the
writer's work (a completion compares impressions and renders PDFs while a search waits for the same head).

A savepoint's release does not stamp; a savepoint that rolls back takes its rows with it, unnumbered, so it leaves no
gap. Code that needs the links before the commit (anchors, an import's closing event) calls stamp_pending.

The content is rendered field by field as `len:text` (or `-` for NULL), joined by U+001F, so PostgreSQL can
recompute the same bytes in SQL (engine/evidence/verify.py) without a JSON canonicaliser.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, bindparam, event, inspect, select, update
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from engine.db import Base, utcnow

__all__ = ["GENESIS", "ChainHead", "ChainSpec", "chain_model", "chained", "content_text", "link_hash", "lock_heads",
           "stamp_pending"]

GENESIS = "0" * 64
SEPARATOR = "\x1f"
NULL = "-"
PENDING = "inkan_chain_unstamped"  # session.info: the transaction's new chained rows, in the order they were flushed


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
def _collect_new_rows(session: Session, _context, _instances) -> None:
    # session.new is a set: order the rows by when they were added, as the writer meant them
    new = sorted((obj for obj in session.new if type(obj) in _CHAINS and getattr(obj, "row_hash", None) is None),
                 key=_added_order)
    for obj in new:
        _apply_defaults(_CHAINS[type(obj)], obj)  # before the INSERT: the row holds exactly what is hashed
    if new:
        session.info.setdefault(PENDING, []).extend(new)


@event.listens_for(Session, "before_commit")
def _stamp_at_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint is released: its rows are stamped when the outermost transaction commits
    stamp_pending(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def stamp_pending(session: Session, *, all_heads: bool = False) -> dict[str, tuple[int, str]]:
    """Link the transaction's new chained rows now; return the heads locked, as (last seq, last hash) by name.

    The commit does this by itself. Call it when the links must be known earlier (anchors, the import's closing
    event): from here on the heads stay locked until the transaction ends. `all_heads` locks every head, as
    anchors need, even when no row is waiting; otherwise only the heads of the chains appended to."""
    session.flush()
    waiting: dict[str, list] = {}
    with session.no_autoflush:
        for obj in _unstamped(session):
            waiting.setdefault(_CHAINS[type(obj)].name, []).append(obj)
        if not waiting and not all_heads:
            return {}
        heads = lock_heads(session, None if all_heads else waiting)
        for name in sorted(waiting):
            rows = waiting[name]
            heads[name] = _append(session, _CHAINS[type(rows[0])], rows, heads.get(name, (0, GENESIS)))
    return heads


def lock_heads(session: Session, names: Iterable[str] | None = None) -> dict[str, tuple[int, str]]:
    """Lock the chain heads (every one, or those named) in name order for the rest of the transaction; return
    (last seq, last hash) by name.

    Heads are the last rows a writer locks (at its commit, see stamp_pending) and it locks nothing after them, so
    code that locks them early must not lock other rows afterwards that a committing writer may hold."""
    query = select(ChainHead.name, ChainHead.last_seq, ChainHead.last_hash).order_by(ChainHead.name)
    if names is not None:
        query = query.where(ChainHead.name.in_(sorted(names)))
    return {name: (seq, last) for name, seq, last in session.execute(query.with_for_update())}


def _unstamped(session: Session) -> list:
    """The rows added in this transaction that are still in the database and not linked yet, in flush order.

    A row whose savepoint rolled back is transient again (gone from the database): it is skipped, so it takes no
    number and leaves no gap."""
    seen: set[int] = set()
    rows = []
    for obj in session.info.get(PENDING, ()):
        if id(obj) in seen or not inspect(obj).persistent or obj.row_hash is not None:
            continue
        seen.add(id(obj))
        rows.append(obj)
    return rows


def _append(session: Session, spec: ChainSpec, rows: list, head: tuple[int, str]) -> tuple[int, str]:
    """Number and hash `rows` after `head` with one UPDATE (the one change the append-only triggers allow)."""
    seq, last = head
    stamps = []
    for obj in rows:
        seq += 1
        last = link_hash(last, [seq, *(getattr(obj, f) for f in spec.fields)])
        stamps.append({"row_id": obj.id, "seq": seq, "hash": last})
    table = spec.model.__table__
    session.execute(table.update().where(table.c.id == bindparam("row_id"))
                    .values(chain_seq=bindparam("seq"), row_hash=bindparam("hash")), stamps)
    for obj, stamp in zip(rows, stamps, strict=True):
        set_committed_value(obj, "chain_seq", stamp["seq"])
        set_committed_value(obj, "row_hash", stamp["hash"])
    session.execute(update(ChainHead).where(ChainHead.name == spec.name)
                    .values(last_seq=seq, last_hash=last, updated_at=utcnow()))
    return seq, last


def _added_order(obj) -> int:
    state = obj._sa_instance_state
    return getattr(state, "insert_order", None) or 0


def _apply_defaults(spec: ChainSpec, obj) -> None:
    for name, default in spec.defaults:
        if getattr(obj, name) is None:
            setattr(obj, name, default() if callable(default) else default)
