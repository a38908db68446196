"""Read side of the engine: the inbox, instance lists and an instance's full picture."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.db import utcnow
from engine.errors import InstanceNotFound, TaskNotFound
from engine.evidence.audit import events_of_instance, summary_of
from engine.library.catalog import SpecCache, restore_workflow
from engine.library.paths import pruned_path_of, taken_flows
from engine.models import AuditEvent, HumanTask, Incident, ProcessDefinition, ProcessInstance
from engine.runtime.progress import Step, case_progress


@dataclass
class InboxRow:
    task_id: int
    instance_id: int
    process_name: str
    title: str
    lane: str
    subject_name: str | None
    subject_registration_number: str | None
    created_at: datetime
    claimed_by: str | None
    process_id: str = ""
    spec_name: str = ""
    due_at: datetime | None = None  # the task's deadline (a timer on it: the 4.1.4 answer deadline), if any
    case_started_at: datetime | None = None  # the case's age is counted from here


@dataclass
class Page:
    rows: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


INBOX_SORTS = ("created", "due", "age", "flow", "step")
DUE_FILTERS = ("overdue", "week", "any", "none")  # past due, due within 7 days (or past), has one, has none


@dataclass(frozen=True)
class InboxQuery:
    """The inbox's filters and order (the clerk's, kept per user by the web UI)."""

    process_id: str | None = None  # one flow
    spec_name: str | None = None  # one step (BPMN task id)
    due: str | None = None  # DUE_FILTERS
    min_age_days: int | None = None  # cases started at least this many days ago
    sort: str = "created"  # INBOX_SORTS: task waiting since, due date, case age, flow, step
    descending: bool = False


def inbox(session: Session, lane: str, *, page: int = 1, per_page: int = 50, claimed_by: str | None = None,
          query: InboxQuery | None = None, now: datetime | None = None) -> Page:
    """Open tasks of one lane, oldest first unless `query` says otherwise; `claimed_by` narrows to one clerk's."""
    query = query or InboxQuery()
    now = now or utcnow()
    conditions = [HumanTask.is_open.is_(True), HumanTask.lane == lane]
    if claimed_by:
        conditions.append(HumanTask.claimed_by == claimed_by)
    if query.process_id:
        conditions.append(ProcessInstance.process_id == query.process_id)
    if query.spec_name:
        conditions.append(HumanTask.spec_name == query.spec_name)
    if query.due == "overdue":
        conditions.append(HumanTask.due_at < now)
    elif query.due == "week":
        conditions.append(HumanTask.due_at < now + timedelta(days=7))
    elif query.due == "any":
        conditions.append(HumanTask.due_at.is_not(None))
    elif query.due == "none":
        conditions.append(HumanTask.due_at.is_(None))
    if query.min_age_days:
        conditions.append(HumanTask.case_started_at <= now - timedelta(days=query.min_age_days))
    count = select(func.count()).select_from(HumanTask)
    if query.process_id:
        count = count.join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
    total = session.scalar(count.where(*conditions))
    first = {"created": HumanTask.created_at, "due": HumanTask.due_at, "age": HumanTask.case_started_at,
             "flow": ProcessDefinition.name, "step": HumanTask.title}[query.sort if query.sort in INBOX_SORTS
                                                                       else "created"]
    order: list[Any] = [first.desc().nulls_last() if query.descending else first.asc().nulls_last()]
    if query.sort != "created":
        order.append(HumanTask.created_at)
    statement = (select(HumanTask, ProcessInstance.subject_name, ProcessInstance.subject_registration_number,
                        ProcessDefinition.name, ProcessInstance.process_id, ProcessInstance.started_at)
                 .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                 .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
                 .where(*conditions).order_by(*order, HumanTask.id)
                 .limit(per_page).offset((page - 1) * per_page))
    rows = [InboxRow(task.id, task.instance_id, process_name, task.title, task.lane, name, number,
                     task.created_at, task.claimed_by, process_id, task.spec_name, task.due_at, started_at)
            for task, name, number, process_name, process_id, started_at in session.execute(statement)]
    return Page(rows, total or 0, page, per_page)


def inbox_choices(session: Session, lane: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The flows and the steps that have open tasks in `lane`: (process id, flow name), (task id, step name)."""
    open_in_lane = (HumanTask.is_open.is_(True), HumanTask.lane == lane)
    flows = session.execute(
        select(ProcessInstance.process_id, func.max(ProcessDefinition.name))
        .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(*open_in_lane).group_by(ProcessInstance.process_id).order_by(func.max(ProcessDefinition.name))).all()
    steps = session.execute(select(HumanTask.spec_name, func.max(HumanTask.title)).where(*open_in_lane)
                            .group_by(HumanTask.spec_name).order_by(func.max(HumanTask.title))).all()
    return [(pid, name) for pid, name in flows], [(sid, title) for sid, title in steps]


def open_task_counts(session: Session) -> dict[str, int]:
    query = (select(HumanTask.lane, func.count()).where(HumanTask.is_open.is_(True)).group_by(HumanTask.lane))
    return {lane: count for lane, count in session.execute(query)}


def get_task(session: Session, task_id: int) -> HumanTask:
    row = session.get(HumanTask, task_id)
    if row is None:
        raise TaskNotFound("作業が見つかりません")
    return row


def recent_instances(session: Session, *, page: int = 1, per_page: int = 50, status: str | None = None,
                     resident_id: str | None = None, started_by: str | None = None) -> Page:
    conditions = []
    if status:
        conditions.append(ProcessInstance.status == status)
    if resident_id:
        conditions.append(ProcessInstance.subject_resident_id == resident_id)
    if started_by:
        conditions.append(ProcessInstance.started_by == started_by)
    total = session.scalar(select(func.count()).select_from(ProcessInstance).where(*conditions))
    query = (select(ProcessInstance, ProcessDefinition.name)
             .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
             .where(*conditions).order_by(ProcessInstance.id.desc())
             .limit(per_page).offset((page - 1) * per_page))
    return Page(list(session.execute(query)), total or 0, page, per_page)


@dataclass
class InstanceDetail:
    instance: ProcessInstance
    definition: ProcessDefinition
    tasks: list[HumanTask]
    incidents: list[Incident]
    events: list[tuple[AuditEvent, dict]]
    data: dict[str, Any]
    completed_ids: list[str] = field(default_factory=list)
    active_ids: list[str] = field(default_factory=list)
    error_ids: list[str] = field(default_factory=list)
    taken_flows: list[str] = field(default_factory=list)
    step_data: dict[str, dict[str, Any]] = field(default_factory=dict)  # human task guid → data at completion
    progress: list[Step] = field(default_factory=list)  # steps done, here and ahead (engine/runtime/progress.py)


def instance_detail(session: Session, specs: SpecCache, instance_id: int) -> InstanceDetail:
    """Everything about one instance, with the diagram's done / active / failed elements; raise InstanceNotFound."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise InstanceNotFound("事案が見つかりません")
    definition = session.get_one(ProcessDefinition, instance.definition_id)
    tasks = list(session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)
                                 .order_by(HumanTask.id)))
    incidents = list(session.scalars(select(Incident).where(Incident.instance_id == instance_id)
                                     .order_by(Incident.id)))
    events = [(e, summary_of(e)) for e in events_of_instance(session, instance_id)]
    detail = InstanceDetail(instance, definition, tasks, incidents, events, {})
    if instance.state:
        workflow = restore_workflow(specs, definition, instance.state)
        _mark_diagram(detail, workflow)
        detail.taken_flows = sorted(taken_flows(workflow, specs.get(definition).flows))
        detail.progress = case_progress(workflow)
    return detail


def _mark_diagram(detail: InstanceDetail, workflow) -> None:
    """Done, active and failed BPMN elements, the data as the latest step left it and at each human step."""
    latest = None
    human = {row.task_guid for row in detail.tasks if row.completed_by}
    for task in workflow.get_tasks():
        spec = task.task_spec
        bpmn_id = getattr(spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        if task.state == TaskState.COMPLETED:
            detail.completed_ids.append(bpmn_id)
            if str(task.id) in human:
                detail.step_data[str(task.id)] = dict(task.data)
            if latest is None or task.last_state_change > latest.last_state_change:
                latest = task
        elif task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
            detail.active_ids.append(bpmn_id)
        elif task.state == TaskState.ERROR:
            detail.error_ids.append(bpmn_id)
    ready = workflow.get_tasks(state=TaskState.READY)
    source = ready[0] if ready else latest
    detail.data = dict(source.data) if source is not None else {}
    detail.active_ids = sorted(set(detail.active_ids))
    done = set(detail.completed_ids) | pruned_path_of(workflow).elements  # pruned history is done too
    detail.completed_ids = sorted(done - set(detail.active_ids))
    detail.error_ids = sorted(set(detail.error_ids))


def open_tasks_of_instance(session: Session, instance_id: int) -> list[HumanTask]:
    return list(session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                        HumanTask.is_open.is_(True)).order_by(HumanTask.id)))


@dataclass
class TaskFormView:
    """One inbox row with the form it shows and the data its SpiffWorkflow task holds."""

    task: HumanTask
    definition: ProcessDefinition
    form: dict | None
    data: dict[str, Any]


def task_form_view(session: Session, specs: SpecCache, task_id: int) -> TaskFormView:
    """The task, its form document and its data ({} once the state no longer holds it); raise TaskNotFound."""
    task = get_task(session, task_id)
    instance = session.get_one(ProcessInstance, task.instance_id)
    definition = session.get_one(ProcessDefinition, instance.definition_id)
    form = specs.get(definition).forms.get(task.form_file) if task.form_file else None
    data: dict[str, Any] = {}
    if instance.state:
        workflow = restore_workflow(specs, definition, instance.state)
        spiff_task = next((t for t in workflow.get_tasks() if str(t.id) == task.task_guid), None)
        data = dict(spiff_task.data) if spiff_task is not None else {}
    return TaskFormView(task, definition, form, data)


def task_form(session: Session, specs: SpecCache, task_id: int) -> dict | None:
    """The form document of a task (None for a task without one), without restoring the workflow or reading the
    definition's row (one query); raise TaskNotFound."""
    row = session.execute(select(HumanTask.form_file, ProcessInstance.definition_id)
                          .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                          .where(HumanTask.id == task_id)).first()
    if row is None:
        raise TaskNotFound("作業が見つかりません")
    return specs.of_id(session, row.definition_id).forms.get(row.form_file) if row.form_file else None


def element_names(definition: ProcessDefinition) -> dict[str, str]:
    """BPMN element id → name of one definition version (tasks, events, gateways, lanes), read from its XML."""
    from lxml import etree

    root = etree.fromstring(definition.bpmn_xml.encode("utf-8"),
                            parser=etree.XMLParser(resolve_entities=False, no_network=True))
    return {element.get("id"): element.get("name") for element in root.iter()
            if isinstance(element.tag, str) and element.get("id") and element.get("name")}


def instance_definition(session: Session, instance_id: int) -> ProcessDefinition:
    """The definition version an instance runs; raise InstanceNotFound."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise InstanceNotFound("事案が見つかりません")
    return session.get_one(ProcessDefinition, instance.definition_id)


@dataclass(frozen=True)
class CaseSubject:
    """Whose case an instance is, and which flow: what a page needs before it asks why (a cheap look-up)."""

    instance_id: int
    flow_name: str
    resident_id: str | None
    subject_name: str | None


def case_subject(session: Session, instance_id: int) -> CaseSubject | None:
    """The person and flow of an instance, without restoring its workflow; None for an unknown instance."""
    row = session.execute(select(ProcessInstance.subject_resident_id, ProcessInstance.subject_name,
                                 ProcessDefinition.name)
                          .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
                          .where(ProcessInstance.id == instance_id)).first()
    return CaseSubject(instance_id, row.name, row.subject_resident_id, row.subject_name) if row else None


def instance_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ProcessInstance)) or 0
