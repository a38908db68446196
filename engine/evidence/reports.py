"""Reports on the engine's own tables: instances per flow and outcome per day, task times, open tasks by age.

Days are office (JST) calendar days. Times are computed from the inbox rows (created → completed), so a task's
time is what the clerks saw in their inbox, claimed or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from sqlalchemy import Date, cast, func, select
from sqlalchemy.orm import Session

from engine.database import is_postgresql
from engine.models import HumanTask, ProcessDefinition, ProcessInstance

__all__ = ["AGE_BUCKETS", "DailyCount", "Duration", "OpenLane", "instance_outcomes", "instances_per_day",
           "open_tasks", "percentile", "task_durations"]

OFFICE_OFFSET = timedelta(hours=9)
AGE_BUCKETS = (("1時間未満", timedelta(hours=1)), ("1日未満", timedelta(days=1)),
               ("7日未満", timedelta(days=7)), ("7日以上", None))


@dataclass(frozen=True)
class DailyCount:
    day: date
    process_id: str
    process_name: str
    outcome: str  # status, or the end event id once completed
    count: int


@dataclass(frozen=True)
class Duration:
    key: str  # task title or lane
    lane: str
    count: int
    median_seconds: float
    p90_seconds: float


@dataclass(frozen=True)
class OpenLane:
    lane: str
    count: int
    oldest_seconds: float
    median_seconds: float
    buckets: dict[str, int]


def office_day(session: Session, column):
    """The JST calendar day of a naive-UTC timestamp column, in SQL."""
    if is_postgresql(session):
        return cast(column + OFFICE_OFFSET, Date)
    return func.date(column, "+9 hours")


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _utc_bounds(day_from: date, day_to: date) -> tuple[datetime, datetime]:
    """The naive-UTC instants that bound the office days day_from … day_to (inclusive)."""
    start = datetime.combine(day_from, datetime.min.time()) - OFFICE_OFFSET
    return start, datetime.combine(day_to + timedelta(days=1), datetime.min.time()) - OFFICE_OFFSET


def instances_per_day(session: Session, day_from: date, day_to: date) -> list[DailyCount]:
    """Instances started on each office day, per flow and outcome (登録完了, 却下 …; the status while it runs)."""
    start, end = _utc_bounds(day_from, day_to)
    day = office_day(session, ProcessInstance.started_at).label("day")
    outcome = func.coalesce(ProcessInstance.outcome_label, ProcessInstance.status).label("outcome")
    query = (select(day, ProcessInstance.process_id, func.max(ProcessDefinition.name), outcome, func.count())
             .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
             .where(ProcessInstance.started_at >= start, ProcessInstance.started_at < end)
             .group_by(day, ProcessInstance.process_id, outcome).order_by(day, ProcessInstance.process_id, outcome))
    return [DailyCount(_as_date(d), pid, name, out, n) for d, pid, name, out, n in session.execute(query)]


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p90 of 10 values is the 9th smallest)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-int(fraction * 100) * len(ordered) // 100))
    return ordered[min(rank, len(ordered)) - 1]


def task_durations(session: Session, day_from: date, day_to: date) -> tuple[list[Duration], list[Duration]]:
    """Median and p90 created → completed per task and per lane, for tasks completed in the period."""
    start, end = _utc_bounds(day_from, day_to)
    query = (select(HumanTask.title, HumanTask.lane, HumanTask.created_at, HumanTask.completed_at)
             .where(HumanTask.completed_at >= start, HumanTask.completed_at < end,
                    HumanTask.completed_by.is_not(None)))
    per_task: dict[tuple[str, str], list[float]] = {}
    per_lane: dict[str, list[float]] = {}
    for title, lane, created, completed in session.execute(query):
        if completed is None:  # the query keeps completed tasks only
            continue
        seconds = max(0.0, (completed - created).total_seconds())
        per_task.setdefault((title, lane), []).append(seconds)
        per_lane.setdefault(lane, []).append(seconds)
    tasks = [_duration(title, lane, values) for (title, lane), values in sorted(per_task.items())]
    lanes = [_duration(lane, lane, values) for lane, values in sorted(per_lane.items())]
    return tasks, lanes


def _duration(key: str, lane: str, values: list[float]) -> Duration:
    return Duration(key, lane, len(values), float(median(values)), percentile(values, 0.9))


def open_tasks(session: Session, now: datetime) -> list[OpenLane]:
    """Open inbox rows per lane with their age now."""
    ages: dict[str, list[float]] = {}
    for lane, created in session.execute(select(HumanTask.lane, HumanTask.created_at)
                                         .where(HumanTask.is_open.is_(True))):
        ages.setdefault(lane, []).append(max(0.0, (now - created).total_seconds()))
    return [OpenLane(lane, len(values), max(values), float(median(values)), _buckets(values))
            for lane, values in sorted(ages.items())]


def _buckets(ages: list[float]) -> dict[str, int]:
    counts = {label: 0 for label, _limit in AGE_BUCKETS}
    for age in ages:
        for label, limit in AGE_BUCKETS:
            if limit is None or age < limit.total_seconds():
                counts[label] += 1
                break
    return counts


def instance_outcomes(session: Session, instance_ids: list[int]) -> dict[int, tuple[str, str | None]]:
    """Instance id → (status, end event) for the given instances (the ones a report links to)."""
    if not instance_ids:
        return {}
    query = select(ProcessInstance.id, ProcessInstance.status, ProcessInstance.end_event).where(
        ProcessInstance.id.in_(instance_ids))
    return {row_id: (status, end) for row_id, status, end in session.execute(query)}
