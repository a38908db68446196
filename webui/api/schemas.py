"""The API's JSON shapes: plain functions turning models and engine values into dicts (see openapi.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from engine.models import AuditEvent, HumanTask, Incident, ProcessDefinition, ProcessInstance
from engine.runtime.queries import InboxRow, InstanceDetail, Page, TaskFormView
from engine.runtime.runner import RunOutcome
from handlers.operators.printing import change_summary
from juki import Resident
from registry.seals.models import HistoryEntry, Impression, IssuedDocument, RecordStatus, Registration
from registry.seals.shown_names import SHOWN_NAME_LABELS


def iso(value: datetime | date | None) -> str | None:
    """ISO 8601; stored datetimes are naive UTC and get an explicit +00:00."""
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def plain(value: Any) -> Any:
    """Task data or an audit summary as plain JSON values (dates as ISO strings)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=_json_default))


def _json_default(value: Any) -> str:
    return iso(value) if isinstance(value, datetime | date) else str(value)


def page_json(page: Page, rows: list[dict]) -> dict:
    return {"rows": rows, "total": page.total, "page": page.page, "per_page": page.per_page, "pages": page.pages}


# ---- engine -----------------------------------------------------------------------------------------------
def definition_json(definition: ProcessDefinition) -> dict:
    return {"id": definition.id, "process_id": definition.process_id, "name": definition.name,
            "version": definition.content_hash, "created_at": iso(definition.created_at),
            "source": definition.source}


def outcome_json(outcome: RunOutcome) -> dict:
    return {"instance_id": outcome.instance_id, "status": outcome.status, "next_task_id": outcome.next_task_id,
            "incident_id": outcome.incident_id, "outcome": outcome.outcome,
            "next_steps": [{"task_id": s.task_id, "lane": s.lane, "title": s.title, "claimed_by": s.claimed_by}
                           for s in outcome.next_steps]}


def subject_json(instance: ProcessInstance) -> dict:
    return {"name": instance.subject_name, "resident_id": instance.subject_resident_id,
            "registration_number": instance.subject_registration_number}


def case_outcome_json(instance: ProcessInstance) -> dict | None:
    """How the case ended (engine/outcomes.py); null while it runs."""
    if not instance.outcome:
        return None
    return {"code": instance.outcome, "label": instance.outcome_label or "", "reason": instance.outcome_reason,
            "text": instance.outcome_text}


def instance_row_json(instance: ProcessInstance, process_name: str) -> dict:
    return {"id": instance.id, "process_id": instance.process_id, "process_name": process_name,
            "status": instance.status, "subject": subject_json(instance), "started_by": instance.started_by,
            "started_at": iso(instance.started_at), "updated_at": iso(instance.updated_at),
            "ended_at": iso(instance.ended_at), "end_event": instance.end_event,
            "outcome": case_outcome_json(instance)}


def human_task_json(task: HumanTask) -> dict:
    return {"task_id": task.id, "spec_name": task.spec_name, "title": task.title, "lane": task.lane,
            "is_open": task.is_open, "created_at": iso(task.created_at), "claimed_by": task.claimed_by,
            "completed_by": task.completed_by, "completed_at": iso(task.completed_at)}


def incident_json(incident: Incident) -> dict:
    return {"id": incident.id, "task": incident.spec_name, "operator_id": incident.operator_id,
            "error_type": incident.error_type, "error_code": incident.error_code, "message": incident.message,
            "created_at": iso(incident.created_at), "resolved_at": iso(incident.resolved_at),
            "resolved_by": incident.resolved_by}


def instance_detail_json(detail: InstanceDetail) -> dict:
    instance, definition = detail.instance, detail.definition
    return {
        "id": instance.id, "process_id": instance.process_id,
        "definition": {"id": definition.id, "name": definition.name, "version": definition.content_hash},
        "status": instance.status, "subject": subject_json(instance), "started_by": instance.started_by,
        "started_at": iso(instance.started_at), "ended_at": iso(instance.ended_at),
        "end_event": instance.end_event, "outcome": case_outcome_json(instance),
        "tasks": [human_task_json(t) for t in detail.tasks],
        "incidents": [incident_json(i) for i in detail.incidents], "completed_ids": detail.completed_ids,
        "active_ids": detail.active_ids, "error_ids": detail.error_ids, "taken_flows": detail.taken_flows,
        "data": plain(detail.data),
    }


def event_json(event: AuditEvent, summary: dict) -> dict:
    return {"id": event.id, "at": iso(event.at), "actor": event.actor, "actor_role": event.actor_role,
            "kind": event.kind, "task": event.spec_name, "title": event.title, "summary": plain(summary)}


def inbox_row_json(row: InboxRow) -> dict:
    return {"task_id": row.task_id, "instance_id": row.instance_id, "process_name": row.process_name,
            "title": row.title, "lane": row.lane, "subject_name": row.subject_name,
            "registration_number": row.subject_registration_number, "created_at": iso(row.created_at),
            "claimed_by": row.claimed_by, "process_id": row.process_id, "step": row.spec_name,
            "due_at": iso(row.due_at), "case_started_at": iso(row.case_started_at)}


def task_json(view: TaskFormView) -> dict:
    task, form = view.task, view.form
    shown = (form or {}).get("ui", {}).get("show", [])
    return {
        "task_id": task.id, "instance_id": task.instance_id, "title": task.title, "lane": task.lane,
        "is_open": task.is_open, "claimed_by": task.claimed_by,
        "form": None if form is None else {"title": form.get("title", task.title),
                                           "function_id": form.get("function_id"),
                                           "schema": form["schema"], "ui": form.get("ui", {})},
        "context": plain({key: view.data.get(key) for key in shown}),
    }


# ---- blobs, residents, records -------------------------------------------------------------------------------
def blob_json(sha256: str, media_type: str, size: int) -> dict:
    return {"sha256": sha256, "media_type": media_type, "size": size}


def resident_row_json(resident: Resident, registration_number: str | None) -> dict:
    return {"resident_id": resident.resident_id, "name": resident.name, "kana": resident.kana,
            "birth_date": iso(resident.birth_date), "sex": resident.sex, "address": resident.address,
            "status": resident.status, "household_id": resident.household_id,
            "relationship": resident.relationship, "registration_number": registration_number}


def resident_json(resident: Resident, registration_number: str | None) -> dict:
    return resident_row_json(resident, registration_number) | {
        "status_date": iso(resident.status_date), "nationality": resident.nationality,
        "common_name": resident.common_name, "katakana_name": resident.katakana_name,
        "old_surname": resident.old_surname, "lacks_capacity": resident.lacks_capacity}


def impression_json(impression: Impression | None) -> dict | None:
    if impression is None:
        return None
    return {"blob": impression.image_blob, "width_mm": impression.width_mm, "height_mm": impression.height_mm,
            "mm_per_px": impression.mm_per_px}


def history_json(entry: HistoryEntry) -> dict:
    return {"reason": entry.reason, "effective_date": iso(entry.effective_date),
            "processed_at": iso(entry.processed_at), "operator": entry.operator, "instance_id": entry.instance_id,
            "before": json.loads(entry.before_json or "{}"), "after": json.loads(entry.after_json or "{}"),
            "summary": change_summary(entry)}


def document_json(document: IssuedDocument) -> dict:
    return {"kind": document.kind, "blob_sha256": document.blob_sha256, "filename": document.filename,
            "printed_by": document.printed_by, "printed_at": iso(document.printed_at),
            "instance_id": document.instance_id, "reprint_reason": document.reprint_reason}


def registration_json(record: Registration, impression: Impression | None, history: list[HistoryEntry],
                      documents: list[IssuedDocument]) -> dict:
    return {
        "registration_number": record.registration_number, "status": record.status,
        "status_label": RecordStatus.LABELS.get(record.status, record.status),
        "registered_on": iso(record.registered_on), "resident_id": record.resident_id, "name": record.name,
        "kana": record.kana, "birth_date": iso(record.birth_date), "sex": record.sex, "address": record.address,
        "household_id": record.household_id, "identity_path": record.identity_path,
        "card_kind": record.card_kind, "card_number": record.card_number, "closed_on": iso(record.closed_on),
        "close_reason": record.close_reason, "impression": impression_json(impression),
        "impression_name": record.impression_name,
        "impression_name_label": SHOWN_NAME_LABELS.get(record.impression_name or ""),
        "history": [history_json(e) for e in history], "documents": [document_json(d) for d in documents],
    }
