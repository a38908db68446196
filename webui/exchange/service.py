"""移行（取込・書出）: the one place that joins the registry's exchange files, the checks, the chain and the audit.

`inkan registry import|export` and the admin page /admin/exchange call ``run_import`` / ``run_export``.
An import first checks the whole set (every row and image) and writes the problem report; with errors, or as a
dry run, it stops there. Otherwise it imports batch by batch (registry.exchange.importing), each batch one
transaction with its checkpoint and a `registry_import_batch` audit event, and finishes with the pending 照会,
the counters and a `registry_import` event carrying the chain heads, anchored (engine.evidence.anchors) for the day.
The same files again: a finished run is found by the files' digest and nothing changes; an unfinished one
(killed, failed, cancelled) is resumed after its last committed batch.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.database import read_snapshot
from engine.db import utcnow
from engine.evidence import audit
from engine.evidence.anchors import OFFICE_TZ, write_anchors
from engine.evidence.chain import ChainHead, link_hash, lock_heads, stamp_pending
from handlers.services.exchange import ExchangeChecks
from registry.blobs.store import put_blob
from registry.csv_text import csv_text
from registry.exchange.exporting import ExportCounts, export_registry
from registry.exchange.importing import BatchHooks, Cancelled, finish_import, import_batches
from registry.exchange.models import ExchangeRun, RunStatus
from registry.exchange.reading import REPORT_COLUMNS, CheckedSet, Problem, check_set, set_digest
from webui.audit.chains import HISTORY_CHAIN

__all__ = ["ImportOutcome", "PACKAGE_FILE", "Progress", "create_run", "report_bytes", "run_export", "run_import"]

PACKAGE_FILE = Path(__file__).resolve().parents[2] / "docs" / "exchange" / "datapackage.json"
TITLE = "原票の取込（移行）"
Progress = Callable[[str, int, int], None]  # phase (check | import | export), done, total


@dataclass
class ImportOutcome:
    run_id: int | None
    status: str
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    registrations: int = 0
    history: int = 0
    certificates: int = 0
    inquiries: int = 0
    resumed_from: int = 0
    already_imported: bool = False
    counters: dict[str, int] = field(default_factory=dict)
    anchors: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "誤り"]


def report_bytes(problems: list[Problem]) -> bytes:
    """The problem report as a file: UTF-8 with BOM (Excel opens it as Japanese)."""
    return ("\ufeff" + csv_text(REPORT_COLUMNS, (p.as_row() for p in problems))).encode("utf-8")


def create_run(product, directory: Path, actor: Actor, *, dry_run: bool) -> tuple[int, int, bool]:
    """The run this import is: (run id, rows already committed, finished before). A finished run of the same
    files means nothing to do; an unfinished one is resumed; otherwise a new run."""
    digest = set_digest(directory)
    with product.session_factory.begin() as session:
        if not dry_run:
            previous = session.scalars(select(ExchangeRun).where(ExchangeRun.digest == digest,
                                                                 ExchangeRun.dry_run.is_(False),
                                                                 ExchangeRun.status.in_((RunStatus.DONE,
                                                                                         RunStatus.RUNNING,
                                                                                         RunStatus.FAILED)))
                                       .order_by(ExchangeRun.id.desc())).first()
            if previous is not None and previous.status == RunStatus.DONE:
                return previous.id, previous.done, True
            if previous is not None:
                previous.status, previous.cancel_requested, previous.phase = RunStatus.RUNNING, False, "check"
                previous.phase_started_at = previous.updated_at = utcnow()
                return previous.id, previous.done, False
        run = ExchangeRun(digest=digest, source=str(directory), dry_run=dry_run, run_by=actor.username)
        session.add(run)
        session.flush()
        return run.id, 0, False


def run_import(product, directory: Path, actor: Actor, *, dry_run: bool = False, run_id: int | None = None,
               batch_size: int = 2000, workers: int | None = None, progress: Progress | None = None,
               after_batch: Callable[[int], None] | None = None) -> ImportOutcome:
    """Check, then (unless dry_run or errors) import the set in `directory`. `after_batch` is a test's kill switch:
    called inside each batch's transaction with the batch number, an exception there rolls that batch back."""
    directory = Path(directory)
    if run_id is None:
        run_id, done, finished = create_run(product, directory, actor, dry_run=dry_run)
    else:
        with product.session_factory() as session:
            run = session.get(ExchangeRun, run_id)
            done, finished = run.done, False
    if finished:
        return ImportOutcome(run_id, RunStatus.DONE, dry_run, already_imported=True)
    outcome = ImportOutcome(run_id, RunStatus.RUNNING, dry_run, resumed_from=done)
    services = product.services
    try:
        with read_snapshot(product.session_factory) as session:  # SQLite: no write lock while checking
            checks = ExchangeChecks(services.juki_factory(session), services.settings, workers)
            checked = check_set(directory, session, checks, number_format=services.settings.number_format,
                                already_done=done, progress=_phase(product, run_id, "check", progress))
        _count_rows(checked, outcome)
        outcome.problems = checked.problems
        if checked.errors or dry_run:
            outcome.status = RunStatus.DONE if dry_run else RunStatus.REFUSED
            _end_run(product, run_id, outcome, actor, checked)
            return outcome
        _set_phase(product, run_id, "import", len(checked.registrations))
        hooks = BatchHooks(stamp_history=_stamp_history, on_batch=_audit_batch(actor, after_batch),
                           normalize=checks.normalize, progress=_phase(product, None, "import", progress))
        import_batches(product.session_factory, checked, run_id, actor=actor.username, hooks=hooks,
                       batch_size=batch_size)
        with product.session_factory.begin() as session:
            outcome.counters = finish_import(session, checked, actor=actor.username,
                                             number_format=services.settings.number_format)
            audit.record(session, actor, "registry_import", title=TITLE, summary={
                "run": run_id, "source": str(directory), "digest": checked.digest,
                "registrations": outcome.registrations, "history": outcome.history,
                "certificates": outcome.certificates, "inquiries": outcome.inquiries, "counters": outcome.counters,
                "resumed_from": done, "pins": "未設定（移行しない）", "warnings": len(checked.warnings)})
            heads = stamp_pending(session, all_heads=True)  # the heads after this import, its closing event included
            outcome.anchors = [f"{a.day.isoformat()}\t{a.chain}\t{a.seq}\t{a.head_hash}"
                               for a in write_anchors(session, datetime.now(OFFICE_TZ).date(), actor.username)]
            outcome.anchors.append("import-end\t" + json.dumps({k: [s, h] for k, (s, h) in heads.items()}))
            outcome.status = RunStatus.DONE
            _finish_row(session, run_id, outcome, checked, actor)
    except Cancelled:
        outcome.status = RunStatus.FAILED
        _mark(product, run_id, RunStatus.FAILED, "中止しました（取り込んだ分は残り、同じファイルで再実行すると続きから取り込みます）")
    except Exception as exc:
        _mark(product, run_id, RunStatus.FAILED, f"中断しました: {type(exc).__name__}（同じファイルで再実行すると続きから"
                                                 "取り込みます）")
        raise
    return outcome


def _count_rows(checked: CheckedSet, outcome: ImportOutcome) -> None:
    outcome.registrations = len(checked.registrations)
    outcome.history = sum(len(v) for v in checked.history.values())
    outcome.certificates = sum(len(v) for v in checked.certificates.values())
    outcome.inquiries = len(checked.inquiries)


def _stamp_history(session: Session, rows: list[dict]) -> None:
    """Chain the batch's history rows as engine.evidence.chain's hook would (it does not see Core inserts)."""
    seq, last = lock_heads(session).get(HISTORY_CHAIN.name, (0, "0" * 64))
    for row in rows:
        seq += 1
        row["chain_seq"] = seq
        row["row_hash"] = last = link_hash(last, [seq, *(row[f] for f in HISTORY_CHAIN.fields)])
    session.execute(update(ChainHead).where(ChainHead.name == HISTORY_CHAIN.name)
                    .values(last_seq=seq, last_hash=last, updated_at=utcnow()))


def _audit_batch(actor: Actor, after_batch: Callable[[int], None] | None):
    def on_batch(session: Session, run: ExchangeRun, numbers: list[str]) -> None:
        audit.record(session, actor, "registry_import_batch", title=TITLE, summary={
            "run": run.id, "batch": run.batches, "records": len(numbers), "first": numbers[0], "last": numbers[-1],
            "checkpoint": run.done})
        if after_batch is not None:
            after_batch(run.batches)
    return on_batch


def _phase(product, run_id: int | None, phase: str, progress: Progress | None):
    """A progress callback: the caller's (terminal) and, every few seconds, the run row (the page reads it)."""
    last = [0.0]

    def report(done: int, total: int) -> None:
        if progress:
            progress(phase, done, total)
        if run_id is not None and (time.monotonic() - last[0] > 2 or done == total):
            last[0] = time.monotonic()
            with product.session_factory.begin() as session:
                session.execute(update(ExchangeRun).where(ExchangeRun.id == run_id)
                                .values(checked=done, total=total, updated_at=utcnow()))
    return report


def _set_phase(product, run_id: int, phase: str, total: int) -> None:
    """Enter the import phase; `checked` now holds the checkpoint it starts from (the page's ETA counts from it)."""
    with product.session_factory.begin() as session:
        session.execute(update(ExchangeRun).where(ExchangeRun.id == run_id).values(
            phase=phase, total=total, checked=ExchangeRun.done, phase_started_at=utcnow(), updated_at=utcnow()))


def _mark(product, run_id: int, status: str, message: str) -> None:
    with product.session_factory.begin() as session:
        session.execute(update(ExchangeRun).where(ExchangeRun.id == run_id).values(
            status=status, message=message, updated_at=utcnow()))


def _end_run(product, run_id: int, outcome: ImportOutcome, actor: Actor, checked: CheckedSet) -> None:
    with product.session_factory.begin() as session:
        _finish_row(session, run_id, outcome, checked, actor)
        if not outcome.dry_run:
            audit.record(session, actor, "registry_import_refused", title=TITLE, summary={
                "run": run_id, "source": str(checked.directory), "errors": len(checked.errors)})


def _finish_row(session: Session, run_id: int, outcome: ImportOutcome, checked: CheckedSet, actor: Actor) -> None:
    run = session.get(ExchangeRun, run_id)
    run.status, run.finished_at, run.updated_at = outcome.status, utcnow(), utcnow()
    run.phase, run.errors, run.warnings = "finish", len(checked.errors), len(checked.warnings)
    run.total = len(checked.registrations)
    if outcome.status != RunStatus.DONE or outcome.dry_run:
        run.checked = run.total  # every row was checked
    if outcome.problems:
        run.report_blob = put_blob(session, report_bytes(outcome.problems), "text/csv",
                                   filename=f"inkan_import_report_{run_id}.csv", created_by=actor.username)
    if outcome.dry_run:
        run.message = f"検証のみ: 誤り {run.errors} 件、注意 {run.warnings} 件（取り込んでいません）"
    elif outcome.status == RunStatus.REFUSED:
        run.message = f"誤り {run.errors} 件のため取り込んでいません（1件も書き込んでいません）"
    else:
        run.message = (f"原票 {outcome.registrations} 件、異動履歴 {outcome.history} 件、証明書 {outcome.certificates} 件、"
                       f"照会中の申請 {outcome.inquiries} 件を取り込みました（注意 {run.warnings} 件）")


def run_export(product, directory: Path, actor: Actor, *, progress: Progress | None = None) -> ExportCounts:
    """Write the registry in the exchange layout (a read-only snapshot), audited as `registry_export`."""
    package = json.loads(PACKAGE_FILE.read_text("utf-8"))
    with read_snapshot(product.session_factory) as session:  # one consistent picture, no write lock held
        counts = export_registry(session, Path(directory), package,
                                 progress=(lambda d, t: progress("export", d, t)) if progress else None)
    with product.session_factory.begin() as session:
        audit.record(session, actor, "registry_export", title="原票の書出（移行）", summary={
            "directory": str(directory), "registrations": counts.registrations, "history": counts.history,
            "certificates": counts.certificates, "inquiries": counts.inquiries, "files": counts.files})
    return counts
