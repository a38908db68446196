"""The orphan sweep: the one place that joins the registry's candidates with what the engine still points to.

`inkan registry orphans [--delete]` and the page /audit/orphans both call ``find_orphans``; only the command
removes, in ONE transaction with a `registry_orphans` audit event. Kept, whatever the registry says:
- an impression stored by a live instance (running, waiting, in error, suspended) or named in a live instance's data;
- a blob any registry row uses, any instance's state or any audit summary names, or younger than the grace period
  (an upload whose form is still being filled in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.db import utcnow
from engine.evidence import audit
from engine.evidence.references import ids_in_live_data, live_instance_ids, mentioned_anywhere
from registry.retention.orphans import (
    BlobLine,
    ImpressionLine,
    delete_blobs,
    delete_impressions,
    unregistered_impressions,
    unused_blobs,
)

__all__ = ["DEFAULT_GRACE", "OrphanReport", "find_orphans", "sweep_orphans"]

DEFAULT_GRACE = timedelta(hours=24)
TITLE = "参照されていない印影・ファイルの削除"


@dataclass
class OrphanReport:
    impressions: list[ImpressionLine] = field(default_factory=list)
    blobs: list[BlobLine] = field(default_factory=list)
    deleted: bool = False
    grace_hours: float = DEFAULT_GRACE.total_seconds() / 3600

    @property
    def blob_bytes(self) -> int:
        return sum(b.size for b in self.blobs)


def find_orphans(product, grace: timedelta = DEFAULT_GRACE) -> OrphanReport:
    """What the sweep would remove now (nothing is changed)."""
    with product.session_factory() as session:
        return _report(session, grace)


def sweep_orphans(product, actor: Actor, grace: timedelta = DEFAULT_GRACE) -> OrphanReport:
    """Remove the orphans found, in one transaction, with an audit event listing them."""
    with product.session_factory.begin() as session:
        report = _report(session, grace)
        impressions = delete_impressions(session, [line.id for line in report.impressions])
        blobs = delete_blobs(session, [line.sha256 for line in report.blobs])
        audit.record(session, actor, "registry_orphans", title=TITLE, summary={
            "impressions": [line.id for line in report.impressions], "blobs": [line.sha256 for line in report.blobs],
            "impressions_deleted": impressions, "blobs_deleted": blobs, "bytes": report.blob_bytes,
            "grace_hours": report.grace_hours})
        report.deleted = True
        return report


def _report(session: Session, grace: timedelta) -> OrphanReport:
    live = live_instance_ids(session)
    pointed_to = ids_in_live_data(session, "impression_id")
    impressions = [line for line in unregistered_impressions(session)
                   if line.instance_id not in live and line.id not in pointed_to]
    candidates = unused_blobs(session, created_before=utcnow() - grace, leaving={line.id for line in impressions})
    blobs = [line for line in candidates if not mentioned_anywhere(session, line.sha256)]
    return OrphanReport(impressions, blobs, grace_hours=grace.total_seconds() / 3600)

