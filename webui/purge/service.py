"""除票の消去: the one place that joins the registry's purge, the hash chain's tombstones and the audit.

`inkan registry purge` and the admin page /admin/purge both call ``run_purge``. A run refuses a limit inside the
retention period (PurgeRefused), otherwise in ONE transaction: the purge batch and its list (CSV blob), the
history rows replaced by tombstones anchored in the audit chain, the records and what went with them, the blobs
nobody uses any more, and a `registry_purge` audit event. A dry run only lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from engine.actor import Actor
from engine.evidence import audit
from engine.evidence.tombstones import bury_rows
from registry.blobs.store import put_blob
from registry.retention.models import PurgeBatch
from registry.retention.purge import (
    PurgeLine,
    check_closed_before,
    purge_lines,
    purge_list_csv,
    purge_record,
    purgeable,
    remove_unused_blobs,
)
from registry.seals import records as registry_records
from webui.audit.chains import HISTORY_CHAIN

__all__ = ["PurgeOutcome", "purge_list_bytes", "run_purge"]

TITLE = "除票の消去（保存期間経過）"


@dataclass
class PurgeOutcome:
    closed_before: date
    cutoff: date
    retention_years: int
    dry_run: bool
    lines: list[PurgeLine] = field(default_factory=list)
    resident_ids: list[str] = field(default_factory=list)  # whose 除票 the lines are (for the access log, not the list)
    batch_id: int | None = None
    history_rows: int = 0
    blobs: int = 0
    list_blob: str | None = None


def purge_list_bytes(lines: list[PurgeLine]) -> bytes:
    """The purge list as a file: UTF-8 with BOM (Excel opens it as Japanese)."""
    return ("\ufeff" + purge_list_csv(lines)).encode("utf-8")


def run_purge(product, closed_before: date, actor: Actor, *, dry_run: bool = False) -> PurgeOutcome:
    """Purge (or, dry_run, list) the 除票 closed before the day; raise registry.errors.PurgeRefused."""
    years = product.services.settings.retention_years
    cutoff = check_closed_before(closed_before, product.services.today(), years)
    outcome = PurgeOutcome(closed_before, cutoff, years, dry_run)
    with product.session_factory.begin() as session:
        found = purgeable(session, closed_before)
        outcome.lines = purge_lines(session, found)
        outcome.resident_ids = [record.resident_id for record in found]
        if dry_run:
            return outcome
        batch = PurgeBatch(run_by=actor.username, closed_before=closed_before, retention_years=years)
        session.add(batch)
        session.flush()
        batch.list_blob = put_blob(session, purge_list_bytes(outcome.lines), "text/csv",
                                   filename=f"inkan_purge_{batch.id}.csv", created_by=actor.username)
        history = [e.id for record in found for e in registry_records.history_of(session, record.id)]
        buried = bury_rows(session, HISTORY_CHAIN, history, batch=f"purge:{batch.id}", actor=actor,
                           title="除票の消去（異動履歴を墓標に置換）")
        used: set[str] = set()
        for record in found:
            used |= purge_record(session, record, cutoff)
        batch.records, batch.history_rows, batch.blobs = len(found), buried.count, remove_unused_blobs(session, used)
        audit.record(session, actor, "registry_purge", title=TITLE, summary={
            "batch_id": batch.id, "closed_before": closed_before.isoformat(), "cutoff": cutoff.isoformat(),
            "retention_years": years, "records": batch.records,
            "registration_numbers": [line.registration_number for line in outcome.lines],
            "history_rows": batch.history_rows, "blobs": batch.blobs, "list_blob": batch.list_blob,
            "tombstones": {"batch": buried.batch, "digest": buried.digest}})
        outcome.batch_id, outcome.history_rows = batch.id, batch.history_rows
        outcome.blobs, outcome.list_blob = batch.blobs, batch.list_blob
    return outcome
