"""Check the hash chains (engine/evidence/chain.py) and name the first broken row of each.

A row is broken when its hash does not match sha256(previous hash + its content), when its sequence number leaves a
gap (a row was deleted), when it carries no link at all (written around the hook), or when the chain head or an
anchor disagrees with the rows. A purged row's tombstone (engine/evidence/tombstones.py) stands in for it: its stored hash
is the link, and its batch must match the audit event that anchored it. On PostgreSQL every link is recomputed by
the server in one pass (sha256() and a window over the previous row); elsewhere rows are streamed and hashed here.

Rows, chain heads and anchors must be read from ONE snapshot: read one after another while clerks work, a head
that moved on between two statements looks exactly like a deleted or added row. verify_snapshot opens that
snapshot (engine.database.read_snapshot); the command, the page and the API all go through it.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    Text,
    case,
    cast,
    func,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, sessionmaker

from engine.database import is_postgresql, read_snapshot
from engine.evidence.anchors import anchor_mismatch, anchors_of
from engine.evidence.chain import GENESIS, ChainHead, ChainSpec, chained, link_hash
from engine.evidence.tombstones import ChainTombstone, anchored_batches, batch_digest, tombstones_of

__all__ = ["ChainReport", "verify_all", "verify_chain", "verify_snapshot"]

BATCH = 20_000
TOMBSTONE = object()  # stands for the content of a purged row: its stored hash is the link


@dataclass
class ChainReport:
    name: str
    table: str
    rows: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    broken_id: int | None = None  # primary key of the first broken row
    broken_seq: int | None = None
    problem: str | None = None  # Japanese, for people
    from_seq: int = 0  # rows after this sequence number were walked (0: the whole chain)

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_snapshot(session_factory: sessionmaker[Session], *, since_anchor: bool = False) -> list[ChainReport]:
    """Check every chain against one consistent snapshot of the database (never a false alarm from writers
    appending during the check)."""
    with read_snapshot(session_factory) as session:
        return verify_all(session, since_anchor=since_anchor)


def verify_all(session: Session, *, since_anchor: bool = False) -> list[ChainReport]:
    """Check every chain with the caller's session: it must read one snapshot (see verify_snapshot)."""
    return [verify_chain(session, spec, since_anchor=since_anchor) for spec in chained()]


def verify_chain(session: Session, spec: ChainSpec, *, since_anchor: bool = False) -> ChainReport:
    """Walk one chain and stop at the first broken link: from its first row, or (since_anchor) from the newest
    anchor on, once every anchor still matches its row — the quick check for a page."""
    report = ChainReport(spec.name, spec.table)
    model = spec.model
    unchained = session.scalar(select(func.min(model.id)).where(model.chain_seq.is_(None)))
    if unchained is not None:
        report.broken_id, report.problem = unchained, "連鎖の外で書き込まれた行があります（ハッシュなし）"
    if report.ok:
        _check_anchors(session, spec, report)
    if report.ok:
        _check_tombstones(session, spec, report)
    start, previous = _starting_point(session, spec) if since_anchor and report.ok else (0, GENESIS)
    report.from_seq = start
    walk = _walk_in_database if is_postgresql(session) else _walk_here
    if report.ok:
        walk(session, spec, report, start, previous)
    if report.ok:
        _check_head(session, spec, report)
    return report


def _starting_point(session: Session, spec: ChainSpec) -> tuple[int, str]:
    newest = anchors_of(session, spec.name, limit=1)
    if not newest or newest[0].seq == 0:
        return 0, GENESIS
    return newest[0].seq, newest[0].head_hash


def _walk_here(session: Session, spec: ChainSpec, report: ChainReport, start: int, previous: str) -> None:
    expected_seq = start + 1
    report.head_seq, report.head_hash = start, previous
    buried = [(t.row_id, t.chain_seq, t.row_hash, TOMBSTONE) for t in tombstones_of(session, spec.name)
              if t.chain_seq > start]
    for row in heapq.merge(_stream(session, spec, start), buried, key=lambda link: link[1]):
        row_id, seq, stored, *values = row
        computed = stored if values == [TOMBSTONE] else link_hash(previous, [seq, *values])
        problem = _link_problem(seq, expected_seq, stored, computed)
        if problem:
            report.broken_id, report.broken_seq, report.problem = row_id, seq, problem
            return
        report.rows, report.head_seq, report.head_hash = report.rows + 1, seq, stored
        expected_seq, previous = seq + 1, stored


def _link_problem(seq: int, expected_seq: int, stored: str, computed: str) -> str | None:
    if seq != expected_seq:
        return f"連番が飛んでいます（{expected_seq} の次に {seq}）: 行が削除された可能性があります"
    if stored != computed:
        return "内容またはハッシュが書き換えられています"
    return None


def _stream(session: Session, spec: ChainSpec, start: int) -> Iterator[tuple]:
    model = spec.model
    columns = [model.id, model.chain_seq, model.row_hash, *(getattr(model, f) for f in spec.fields)]
    last = start
    while True:  # keyset batches: bounded memory, no server-side cursor needed
        batch = session.execute(select(*columns).where(model.chain_seq > last)
                                .order_by(model.chain_seq).limit(BATCH)).all()
        yield from batch
        if len(batch) < BATCH:
            return
        last = batch[-1][1]


# ---- PostgreSQL: recompute every link in SQL ---------------------------------------------------------------
def _sql_render(column: Any) -> Any:
    """The SQL twin of engine.evidence.chain.render: `len:text` or '-'."""
    kind = column.type
    as_text: Any
    if isinstance(kind, DateTime):
        as_text = func.to_char(column, "YYYY-MM-DD HH24:MI:SS.US")
    elif isinstance(kind, Date):
        as_text = func.to_char(column, "YYYY-MM-DD")
    elif isinstance(kind, Integer):
        as_text = cast(column, Text)
    else:
        as_text = column
    as_text = type_coerce(as_text, Text)
    return func.coalesce(cast(func.length(as_text), Text).concat(":").concat(as_text), literal("-", Text))


def _walk_in_database(session: Session, spec: ChainSpec, report: ChainReport, start: int, previous: str) -> None:
    model = spec.model
    parts = [_sql_render(model.chain_seq)] + [_sql_render(getattr(model, f)) for f in spec.fields]
    content = parts[0]
    for part in parts[1:]:
        content = type_coerce(content, Text).concat("\x1f").concat(part)
    live = select(model.id.label("id"), model.chain_seq.label("seq"), model.row_hash.label("stored"),
                  type_coerce(content, Text).label("content")).where(model.chain_seq >= start)
    buried = select(ChainTombstone.row_id, ChainTombstone.chain_seq, ChainTombstone.row_hash,
                    null().label("content")).where(ChainTombstone.chain == spec.name,
                                                   ChainTombstone.chain_seq >= start)
    chain = union_all(live, buried).subquery()
    # the window starts at the anchored row itself (start), so the first checked row sees its hash as previous
    before = type_coerce(func.lag(chain.c.stored, 1, previous).over(order_by=chain.c.seq), Text)
    previous_seq = func.lag(chain.c.seq, 1, start).over(order_by=chain.c.seq)
    linked = func.encode(func.sha256(func.convert_to(before.concat(chain.c.content), "UTF8")), "hex")
    links = select(chain.c.id, chain.c.seq, chain.c.stored, previous_seq.label("previous_seq"),
                   case((chain.c.content.is_(None), chain.c.stored), else_=linked).label("computed")).subquery()
    first_bad = session.execute(
        select(links.c.id, links.c.seq, links.c.stored, links.c.computed, links.c.previous_seq)
        .where(links.c.seq > start)
        .where((links.c.stored != links.c.computed) | (links.c.seq != links.c.previous_seq + 1))
        .order_by(links.c.seq).limit(1)).first()
    if first_bad is not None:
        row_id, seq, stored, computed, previous_seq = first_bad
        report.broken_id, report.broken_seq = row_id, seq
        report.problem = _link_problem(seq, previous_seq + 1, stored, computed)
        report.rows = previous_seq - start
        return
    count, last_seq = session.execute(select(func.count(), func.max(links.c.seq)).where(links.c.seq > start)).one()
    report.rows, report.head_seq = count, last_seq or start
    head_hash = session.scalar(select(links.c.stored).where(links.c.seq == last_seq)) if last_seq else None
    report.head_hash = head_hash if head_hash is not None else previous


def _check_head(session: Session, spec: ChainSpec, report: ChainReport) -> None:
    head = session.get(ChainHead, spec.name)
    seq, last = (head.last_seq, head.last_hash) if head is not None else (0, GENESIS)
    if (seq, last) != (report.head_seq, report.head_hash):
        report.problem = (f"連鎖の先頭（{seq}）と最後の行（{report.head_seq}）が一致しません:"
                          " 末尾の行が削除または追加された可能性があります")


def _check_anchors(session: Session, spec: ChainSpec, report: ChainReport) -> None:
    anchor = anchor_mismatch(session, spec)
    if anchor is not None:
        model = spec.model
        report.broken_seq = anchor.seq
        report.broken_id = session.scalar(select(model.id).where(model.chain_seq == anchor.seq))
        report.problem = (f"{anchor.day.isoformat()} の固定値（連番 {anchor.seq}）と一致しません:"
                          " それ以前の行が書き換えられ、連鎖が作り直された可能性があります")


def _check_tombstones(session: Session, spec: ChainSpec, report: ChainReport) -> None:
    """Every batch of tombstones is the one its audit event anchored: same count, same digest."""
    buried: dict[str, list] = {}
    for tombstone in tombstones_of(session, spec.name):
        buried.setdefault(tombstone.batch, []).append(tombstone)
    anchored = anchored_batches(session, spec.name)
    for batch, stones in sorted(buried.items()):
        recorded = anchored.get(batch)
        digest = batch_digest([(t.chain_seq, t.row_hash) for t in stones])
        if recorded is None or (recorded.count, recorded.digest) != (len(stones), digest):
            report.broken_id, report.broken_seq = stones[0].row_id, stones[0].chain_seq
            report.problem = (f"消去した行の墓標（{batch}）が監査記録の消去の記録と一致しません:"
                              " 記録のない削除または墓標の書き換えの可能性があります")
            return
