"""Read side of the model library: each process with its versions, how many instances run on each, open drafts."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.library.catalog import list_versions
from engine.library.draft_models import DefinitionDraft
from engine.library.drafts import list_drafts
from engine.models import InstanceStatus, ProcessDefinition, ProcessInstance

__all__ = ["LibraryEntry", "VersionRow", "library", "library_entry"]

OPEN_STATUSES = (InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.ERROR, InstanceStatus.SUSPENDED)


@dataclass
class VersionRow:
    definition: ProcessDefinition
    open_instances: int = 0
    all_instances: int = 0

    @property
    def short_hash(self) -> str:
        return self.definition.content_hash[:12]


@dataclass
class LibraryEntry:
    process_id: str
    name: str
    versions: list[VersionRow] = field(default_factory=list)
    drafts: list[DefinitionDraft] = field(default_factory=list)

    @property
    def active(self) -> VersionRow | None:
        return next((v for v in self.versions if v.definition.is_active), None)


def library(session: Session) -> list[LibraryEntry]:
    """Every process, newest version first, with instance counts per version and the open drafts."""
    counts = _instance_counts(session)
    entries: dict[str, LibraryEntry] = {}
    for definition in list_versions(session):
        entry = entries.setdefault(definition.process_id, LibraryEntry(definition.process_id, definition.name))
        if definition.is_active:
            entry.name = definition.name
        open_count, total = counts.get(definition.id, (0, 0))
        entry.versions.append(VersionRow(definition, open_count, total))
    for draft in list_drafts(session):
        if draft.process_id in entries:
            entries[draft.process_id].drafts.append(draft)
    return sorted(entries.values(), key=lambda e: e.name)


def library_entry(session: Session, process_id: str) -> LibraryEntry | None:
    return next((e for e in library(session) if e.process_id == process_id), None)


def _instance_counts(session: Session) -> dict[int, tuple[int, int]]:
    is_open = ProcessInstance.status.in_(OPEN_STATUSES)
    query = select(ProcessInstance.definition_id, func.count().filter(is_open), func.count()) \
        .group_by(ProcessInstance.definition_id)
    return {definition_id: (open_count, total) for definition_id, open_count, total in session.execute(query)}
