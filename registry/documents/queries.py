"""Which documents were printed for an instance (事案)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.documents.models import PrintQueueItem
from registry.seals.models import IssuedDocument

__all__ = ["documents_of_instance", "queue_items_of_instance"]


def documents_of_instance(session: Session, instance_id: int) -> list[IssuedDocument]:
    return list(session.scalars(select(IssuedDocument).where(IssuedDocument.instance_id == instance_id)
                                .order_by(IssuedDocument.id)))


def queue_items_of_instance(session: Session, instance_id: int) -> list[PrintQueueItem]:
    return list(session.scalars(select(PrintQueueItem).where(PrintQueueItem.instance_id == instance_id)
                                .order_by(PrintQueueItem.id)))
