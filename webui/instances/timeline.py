"""The audit timeline of an instance, in Japanese: who did what, in which lane, and what it changed, printed or
called — with the task data as it stood at each completed step and the neighbours' (住基 / J-LIS) answers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.models import AuditEvent
from engine.runtime.queries import InstanceDetail
from engine.runtime.steps import StepData
from handlers import HandlerRegistry
from webui.tasks.forms import choice_label

__all__ = ["Change", "TimelineRow", "timeline"]

MAX_SHOWN = 60
BLOB_ID = re.compile(r"[0-9a-f]{64}")
# Service operators that ask a neighbouring system; their params and answer are shown as 外部照会.
NEIGHBOURS = {
    "inkan.registry.inquire": "住民記録（住基）", "inkan.registry.register": "住民記録（住基）",
    "inkan.registry.check_guarantor": "住民記録（住基）", "inkan.card.issue": "J-LIS（電子証明書）",
    "inkan.rendou.": "住民記録（住基）異動連動", "inkan.konbini.": "J-LIS 証明書交付センター",
}
OPERATION_KINDS = {"suspend": "一時停止", "resume": "再開", "terminate": "強制終了", "reassign": "担当変更",
                   "cancel": "取消（誤って開始）"}


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
    lane: str | None = None
    kind_label: str | None = None  # for kinds the shared label table does not know (operations)
    lines: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    details: str | None = None
    neighbour: str | None = None  # the neighbouring system asked, when this was an outside call
    step_data: str | None = None  # the task data when the step completed (pretty JSON)
    event_id: int | None = None
    row_hash: str | None = None


def timeline(detail: InstanceDetail, forms: dict[str, dict], handlers: HandlerRegistry,
             names: dict[str, str], lanes: dict[str, str] | None = None,
             steps: dict[int, StepData] | None = None) -> list[TimelineRow]:
    """One row per audit event of the instance, oldest first; `names` / `lanes` map BPMN ids to names / lanes."""
    form_of_spec = {t.spec_name: forms.get(t.form_file or "") for t in detail.tasks}
    step_of_event = _steps_by_event(detail, steps or {})
    rows = []
    for event, summary in detail.events:
        title = event.title or names.get(event.spec_name or "", event.spec_name)
        row = TimelineRow(event.at, event.actor, event.actor_role, event.kind, title,
                          lane=(lanes or {}).get(event.spec_name or ""), kind_label=OPERATION_KINDS.get(event.kind),
                          event_id=event.id, row_hash=getattr(event, "row_hash", None))
        describe = DESCRIBERS.get(event.kind)
        if describe is not None:
            describe(row, event, summary, form_of_spec=form_of_spec, handlers=handlers)
        step = step_of_event.get(event.id)
        if step is not None:
            row.step_data = json.dumps(step.data, ensure_ascii=False, indent=2, default=str)
        rows.append(row)
    return rows


def _steps_by_event(detail: InstanceDetail, steps: dict[int, StepData]) -> dict[int, StepData]:
    """Pair each 'complete' event with the completed task of the same element, in completion order."""
    queues: dict[str, list[StepData]] = {}
    for step in sorted(steps.values(), key=lambda s: (s.task.completed_at, s.task.id)):
        queues.setdefault(step.task.spec_name, []).append(step)
    paired = {}
    for event, _summary in detail.events:
        queue = queues.get(event.spec_name or "")
        if event.kind == "complete" and queue:
            paired[event.id] = queue.pop(0)
    return paired


START_LABELS = {"resident_id": "住民ID", "registration_number": "印鑑登録番号", "card_number": "登録証番号"}
# Keys of the handlers' answers (住基 / registry) that no form titles, for the timeline's data blocks.
DATA_LABELS = START_LABELS | {
    "params": "入力", "result": "結果", "resident": "住民", "name": "氏名", "kana": "カナ", "birth_date": "生年月日",
    "sex": "性別", "address": "住所", "status": "状態", "household_id": "世帯番号", "common_name": "通称",
    "katakana_name": "カタカナ表記", "old_surname": "旧氏", "foreign": "外国人住民", "eligibility": "登録資格",
    "eligible": "登録できる", "reason": "理由", "message": "説明", "impression": "印影", "found": "検出",
    "warnings": "警告", "errors": "誤り", "width_mm": "幅（mm）", "height_mm": "高さ（mm）",
    "square_mm": "外接正方形（mm）", "shape": "形", "dpi": "解像度（dpi）", "confirmation": "確認票",
    "document_blob_id": "帳票ファイル", "registration": "登録", "household": "世帯", "members": "世帯員",
    "similarity": "類似度", "verdict": "判定", "code": "区分"}


def _start(row: TimelineRow, _event: AuditEvent, summary: dict, **_) -> None:
    # the version's hash is for the API and the model library; people read what the case started with
    for key, value in (summary.get("data") or {}).items():
        row.lines.append(f"開始時の入力 {START_LABELS.get(key, key)}: {show_value(value)}")


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
    row.lines.append(f"{summary.get('function_id') or ''} {title}".strip() or "自動処理")
    row.neighbour = next((label for prefix, label in NEIGHBOURS.items() if operator.startswith(prefix)), None)
    row.documents = list(summary.get("documents") or [])
    row.details = json.dumps({"params": summary.get("params"), "result": summary.get("result")},
                             ensure_ascii=False, indent=2)


def _error(row: TimelineRow, _event: AuditEvent, summary: dict, **_) -> None:
    row.lines.append(summary.get("message") or "自動処理でエラーが発生しました")


def _retry(row: TimelineRow, _event: AuditEvent, summary: dict, **_) -> None:
    row.lines.append("自動処理のエラーを再実行")


def _operation(row: TimelineRow, _event: AuditEvent, summary: dict, **_) -> None:
    row.lines.append(f"理由: {summary.get('reason', '')}")
    if summary.get("to"):
        row.lines.append(f"担当 {summary.get('from') or '（なし）'} → {summary['to']}")
    if summary.get("withdrawn_tasks"):
        row.lines.append(f"取り下げた作業 {summary['withdrawn_tasks']} 件")


def _scan_read(row: TimelineRow, _event: AuditEvent, summary: dict, **_) -> None:
    """4.1.5.1 読み取る on the task page: what the scan measured, kept or read again (webui/tasks/scan_read.py)."""
    result = summary.get("result") or {}
    if not result.get("found"):
        verdict = "印影なし"
    elif result.get("acceptable"):
        verdict = "大きさ適正"
    else:
        verdict = "小さすぎる" if result.get("too_small") else "大きすぎる" if result.get("too_large") else "登録できない"
    size = f"{float(result['square_mm']):.1f} mm 四方・" if result.get("square_mm") else ""
    row.lines.append(f"読み取った印影: {size}{verdict}")
    row.lines.extend(f"不適: {r.get('message', '')}" for r in result.get("refusal_reasons") or [])
    row.lines.extend(f"警告: {w.get('message', '')}" for w in result.get("warnings") or [])
    for label, key in (("スキャン画像", "scan_blob_id"), ("検出結果", "annotated_blob_id")):
        if isinstance(result.get(key), str) and BLOB_ID.fullmatch(result[key]):
            row.changes.append(Change(label, "", "", is_new=True, blob=result[key]))


DESCRIBERS = {"start": _start, "scan_read": _scan_read, "complete": _complete, "service_call": _service_call, "error": _error,
              "retry": _retry, "suspend": _operation, "resume": _operation, "terminate": _operation,
              "reassign": _operation, "cancel": _operation}


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
