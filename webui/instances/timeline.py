"""The audit timeline of an instance, in Japanese: who did what, and what it changed, printed or called."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.models import AuditEvent
from engine.queries import InstanceDetail
from handlers import HandlerRegistry
from webui.tasks.forms import choice_label

__all__ = ["Change", "TimelineRow", "timeline"]

MAX_SHOWN = 60
BLOB_ID = re.compile(r"[0-9a-f]{64}")


@dataclass
class Change:
    label: str
    before: str
    after: str
    is_new: bool = False  # there was no value before: show only the new one
    blob: str | None = None  # the new value names a stored file (a scan): link to it


@dataclass
class TimelineRow:
    at: datetime
    actor: str
    role: str | None
    kind: str
    title: str | None
    lines: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    details: str | None = None


def timeline(detail: InstanceDetail, forms: dict[str, dict], handlers: HandlerRegistry,
             names: dict[str, str]) -> list[TimelineRow]:
    """One row per audit event of the instance, oldest first; `names` maps BPMN ids to element names."""
    form_of_spec = {t.spec_name: forms.get(t.form_file or "") for t in detail.tasks}
    rows = []
    for event, summary in detail.events:
        title = event.title or names.get(event.spec_name or "", event.spec_name)
        row = TimelineRow(event.at, event.actor, event.actor_role, event.kind, title)
        describe = DESCRIBERS.get(event.kind)
        if describe is not None:
            describe(row, event, summary, form_of_spec=form_of_spec, handlers=handlers)
        rows.append(row)
    return rows


def _start(row: TimelineRow, _event: AuditEvent, summary: dict, **_) -> None:
    row.lines.append(f"定義の版 {summary.get('version', '')}")
    for key, value in (summary.get("data") or {}).items():
        row.lines.append(f"開始データ {key} = {show_value(value)}")


def _complete(row: TimelineRow, event: AuditEvent, summary: dict, *, form_of_spec: dict, **_) -> None:
    props = ((form_of_spec.get(event.spec_name) or {}).get("schema") or {}).get("properties", {})
    for key, change in (summary.get("changes") or {}).items():
        prop = props.get(key, {})
        before, after = change.get("before"), change.get("after")
        blob = after if isinstance(after, str) and BLOB_ID.fullmatch(after) else None
        row.changes.append(Change(prop.get("title", key), _labelled(prop, before), _labelled(prop, after),
                                  is_new=before in (None, "", []), blob=blob))


def _service_call(row: TimelineRow, _event: AuditEvent, summary: dict, *, handlers: HandlerRegistry, **_) -> None:
    operator = summary.get("operator", "")
    title = handlers.get(operator).title if operator in handlers else ""
    row.lines.append(f"{summary.get('function_id') or ''} {title}（{operator}）".strip())
    row.documents = list(summary.get("documents") or [])
    row.details = json.dumps({"params": summary.get("params"), "result": summary.get("result")},
                             ensure_ascii=False, indent=2)


def _error(row: TimelineRow, _event: AuditEvent, summary: dict, **_) -> None:
    row.lines.append(f"{summary.get('error', '')}: {summary.get('message', '')}")


def _retry(row: TimelineRow, _event: AuditEvent, summary: dict, **_) -> None:
    row.lines.append(f"障害 #{summary.get('incident_id')}（{summary.get('operator') or ''}）を再実行")


DESCRIBERS = {"start": _start, "complete": _complete, "service_call": _service_call, "error": _error,
              "retry": _retry}


def _labelled(prop: dict, value: Any) -> str:
    if isinstance(value, list):
        return "、".join(choice_label(prop, v) or show_value(v) for v in value) or "（なし）"
    return choice_label(prop, value) or show_value(value)


def show_value(value: Any) -> str:
    """A value of task data as short Japanese text."""
    if value is None or value == "":
        return "（なし）"
    if value is True:
        return "はい"
    if value is False:
        return "いいえ"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"
