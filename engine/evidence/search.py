"""Instance search for auditors: filters, a sort order and keyset pages that stay fast on a million instances.

Pages are cut by the sort key and the id of the last row shown (keyset), so page 500 costs what page 1 costs.
The total is counted exactly only up to COUNT_CAP rows (cheap whatever the filter); beyond that PostgreSQL's planner
estimate is given as 「約 N 件」.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from engine.database import is_postgresql
from engine.models import HumanTask, Incident, ProcessDefinition, ProcessInstance

__all__ = ["COUNT_CAP", "SORTS", "InstanceQuery", "SearchPage", "SearchRow", "decode_cursor", "definition_versions",
           "search_instances"]

COUNT_CAP = 1_000
SORTS = {"started": ProcessInstance.started_at, "updated": ProcessInstance.updated_at}
INCIDENT_FILTERS = ("open", "any", "none")


@dataclass(frozen=True)
class InstanceQuery:
    """What the auditor asked for; every field is optional."""

    process_id: str | None = None
    definition_id: int | None = None  # one version of the flow
    status: str | None = None
    outcome: str | None = None  # how it ended (engine/outcomes.py code)
    started_from: datetime | None = None
    started_to: datetime | None = None  # exclusive
    clerk: str | None = None  # started it, or completed one of its tasks
    lane: str | None = None  # has an open task in this lane
    resident_ids: tuple[str, ...] | None = None  # already resolved from name / kana / id by the caller
    subject_name: str | None = None  # part of the name recorded on the instance
    registration_number: str | None = None
    incident: str | None = None  # open | any | none
    sort: str = "started"
    descending: bool = True
    per_page: int = 50
    after: tuple[datetime, int] | None = None  # keyset: the last row of the previous page
    before: tuple[datetime, int] | None = None  # keyset: the first row of the next page (going back)


@dataclass
class SearchRow:
    instance: ProcessInstance
    process_name: str
    version: str


@dataclass
class SearchPage:
    rows: list[SearchRow]
    total: int
    total_is_capped: bool
    total_estimate: int | None = None  # the planner's estimate when the exact count stopped at the cap
    next_cursor: str | None = None
    prev_cursor: str | None = None
    filters: dict = field(default_factory=dict)


def search_instances(session: Session, query: InstanceQuery) -> SearchPage:
    """One page of matching instances in the asked order, with a (capped) total and cursors to move on."""
    conditions = _conditions(query)
    if query.resident_ids is not None and not query.resident_ids:
        return SearchPage([], 0, False)
    key = SORTS.get(query.sort, ProcessInstance.started_at)
    backwards = query.before is not None
    descending = query.descending != backwards
    order = (key.desc(), ProcessInstance.id.desc()) if descending else (key.asc(), ProcessInstance.id.asc())
    cursor = query.before or query.after
    if cursor is not None:
        value, last_id = cursor
        if descending:
            conditions.append(or_(key < value, and_(key == value, ProcessInstance.id < last_id)))
        else:
            conditions.append(or_(key > value, and_(key == value, ProcessInstance.id > last_id)))
    statement = (select(ProcessInstance, ProcessDefinition.name, ProcessDefinition.content_hash)
                 .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
                 .where(*conditions).order_by(*order).limit(query.per_page + 1))
    found = list(session.execute(statement))
    more = len(found) > query.per_page
    found = found[:query.per_page]
    if backwards:
        found.reverse()
    rows = [SearchRow(instance, name, content_hash[:12]) for instance, name, content_hash in found]
    total, capped = _capped_count(session, _conditions(query))
    page = SearchPage(rows, total, capped, _estimate(session, _conditions(query)) if capped else None)
    if rows:
        has_next = more if not backwards else True
        has_prev = (query.after is not None) if not backwards else more
        page.next_cursor = encode_cursor(getattr(rows[-1].instance, _attr(query.sort)), rows[-1].instance.id) \
            if has_next else None
        page.prev_cursor = encode_cursor(getattr(rows[0].instance, _attr(query.sort)), rows[0].instance.id) \
            if has_prev else None
    return page


def _attr(sort: str) -> str:
    return "updated_at" if sort == "updated" else "started_at"


def _conditions(query: InstanceQuery) -> list:
    pi = ProcessInstance
    conditions: list[Any] = []
    simple = ((query.process_id, pi.process_id), (query.definition_id, pi.definition_id), (query.status, pi.status),
              (query.outcome, pi.outcome), (query.registration_number, pi.subject_registration_number))
    conditions.extend(column == value for value, column in simple if value is not None)
    if query.started_from:
        conditions.append(pi.started_at >= query.started_from)
    if query.started_to:
        conditions.append(pi.started_at < query.started_to)
    if query.resident_ids:
        conditions.append(pi.subject_resident_id.in_(query.resident_ids))
    if query.subject_name:
        conditions.append(pi.subject_name.contains(query.subject_name, autoescape=True))
    if query.clerk:
        # IN (uncorrelated) lets PostgreSQL hash the clerk's task ids once and walk the sort index: the first page
        # stops after 50 hits instead of joining every instance the clerk ever touched
        worked = select(HumanTask.instance_id).where(HumanTask.completed_by == query.clerk)
        conditions.append(or_(pi.started_by == query.clerk, pi.id.in_(worked)))
    if query.lane:
        conditions.append(pi.id.in_(select(HumanTask.instance_id).where(HumanTask.is_open.is_(True),
                                                                        HumanTask.lane == query.lane)))
    conditions.extend(_incident_condition(query.incident))
    return conditions


def _incident_condition(incident: str | None) -> list:
    if incident == "open":
        return [ProcessInstance.id.in_(select(Incident.instance_id).where(Incident.resolved_at.is_(None)))]
    if incident == "any":
        return [ProcessInstance.id.in_(select(Incident.instance_id))]
    if incident == "none":
        return [~exists().where(Incident.instance_id == ProcessInstance.id)]
    return []


def _capped_count(session: Session, conditions: list) -> tuple[int, bool]:
    limited = select(ProcessInstance.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    total = session.scalar(select(func.count()).select_from(limited)) or 0
    return min(total, COUNT_CAP), total > COUNT_CAP


def _estimate(session: Session, conditions: list) -> int | None:
    """PostgreSQL's row estimate for the filter (EXPLAIN, nothing is run); None elsewhere."""
    if not is_postgresql(session):
        return None
    statement = select(ProcessInstance.id).where(*conditions)
    compiled = statement.compile(dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True})
    plan: Any = session.connection().exec_driver_sql("EXPLAIN (FORMAT JSON) " + compiled.string,
                                                compiled.params).scalar()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def encode_cursor(value: datetime, row_id: int) -> str:
    return f"{value.isoformat()}_{row_id}"


def decode_cursor(text: str | None) -> tuple[datetime, int] | None:
    """The (sort value, id) of a cursor from the URL; None when absent or malformed."""
    if not text or "_" not in text:
        return None
    value, _, row_id = text.rpartition("_")
    try:
        return datetime.fromisoformat(value), int(row_id)
    except ValueError:
        return None


def definition_versions(session: Session) -> list[tuple[int, str, str, str]]:
    """(id, process id, name, version) of every deployed version, for the search form's choices."""
    d = ProcessDefinition
    rows = session.execute(select(d.id, d.process_id, d.name, d.content_hash)
                           .order_by(d.process_id, d.created_at.desc(), d.id.desc()))
    return [(row_id, process_id, name, content_hash[:12]) for row_id, process_id, name, content_hash in rows]
