"""Impression rows no registration uses and blobs no registry row uses: the candidates of the orphan sweep.

The registry knows only its own tables; whether a workflow still needs a candidate is asked of the engine by the
caller (webui/orphans/service.py), which alone decides what is removed.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from registry.blobs.models import Blob
from registry.retention.purge import BLOB_USES
from registry.seals.models import Impression, Registration

__all__ = ["BlobLine", "ImpressionLine", "delete_blobs", "delete_impressions", "unregistered_impressions",
           "unused_blobs"]


@dataclass(frozen=True)
class ImpressionLine:
    """An impression row no registration uses. No resident id: the report names no person."""

    id: int
    instance_id: int | None
    stored_by: str
    stored_at: datetime
    image_blob: str
    scan_blob: str


@dataclass(frozen=True)
class BlobLine:
    sha256: str
    media_type: str
    size: int
    filename: str | None
    created_at: datetime


def unregistered_impressions(session: Session) -> list[ImpressionLine]:
    """Impression rows no registration (active or closed) points to, oldest first."""
    used = select(Registration.impression_id)
    rows = session.execute(select(Impression.id, Impression.instance_id, Impression.stored_by, Impression.stored_at,
                                  Impression.image_blob, Impression.scan_blob)
                           .where(Impression.id.not_in(used)).order_by(Impression.id))
    return [ImpressionLine(*row) for row in rows]


def unused_blobs(session: Session, *, created_before: datetime, leaving: Set[int] = frozenset()) -> list[BlobLine]:
    """Blobs older than `created_before` that no registry row uses, counting the impressions in `leaving` (about to
    be removed) as gone. A younger blob may be an upload whose form is still being filled in."""
    used: set[str] = set()
    for (column,) in BLOB_USES:
        query = select(column).where(column.is_not(None))
        if column.class_ is Impression and leaving:
            query = query.where(Impression.id.not_in(leaving))
        used.update(session.scalars(query))
    rows = session.execute(select(Blob.sha256, Blob.media_type, Blob.size, Blob.filename, Blob.created_at)
                           .where(Blob.created_at < created_before).order_by(Blob.created_at, Blob.sha256))
    return [BlobLine(*row) for row in rows if row.sha256 not in used]


def delete_impressions(session: Session, ids: list[int]) -> int:
    """Remove impression rows, never one a registration uses (checked again in the same statement)."""
    if not ids:
        return 0
    result = cast("CursorResult[Any]", session.execute(  # a DELETE answers with a CursorResult (its row count)
        delete(Impression).execution_options(synchronize_session=False).where(
            Impression.id.in_(ids), Impression.id.not_in(select(Registration.impression_id)))))
    return result.rowcount or 0


def delete_blobs(session: Session, shas: list[str]) -> int:
    """Remove blobs, never one a registry row uses (checked again here)."""
    if not shas:
        return 0
    used: set[str] = set()
    for (column,) in BLOB_USES:
        used.update(session.scalars(select(column).where(column.in_(shas))))
    gone = [sha for sha in shas if sha not in used]
    if gone:
        session.execute(delete(Blob).where(Blob.sha256.in_(gone)))
    return len(gone)
