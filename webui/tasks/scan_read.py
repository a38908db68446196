"""4.1.5.1 scan, look, then decide: a scan read on the task page before the task completes.

The clerk picks a file and presses 読み取る: the scan is stored, measured by the same handler as the flow's
measurement service task (outline, size, warnings, refusal reasons) and recorded as an audit event of the case
(kind ``scan_read``), so every scan — kept or read again — stays in the case's history. The page then shows the
newest reading of the task with 読み直す / この印影で進む (and 却下 with a reason where the form has a decision,
``ui.scan_decision``); nothing of the workflow moves until the clerk completes the task.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from engine.actor import Actor
from engine.errors import LaneForbidden, TaskClaimedByOther, TaskNotOpen
from engine.evidence import audit
from handlers.operators.impressions import measure_scan, read_ahead
from registry.blobs.store import get_blob, put_blob
from registry.errors import BlobNotFound
from webui.tasks.forms import properties, scan_decisions, scan_fields
from webui.tasks.uploads import file_field, scan_dpi
from webui.tasks.view import TaskPage, load_task_page
from webui.templating import staff_name
from webui.uploads import IMAGE_TYPES, UploadRefused, read_upload
from webui.wiring import product

__all__ = ["SCAN_READ", "dpi_field", "latest_reading", "read_scan", "read_scans_ahead", "scan_views"]

SCAN_READ = "scan_read"


def read_scan(task_id: int, actor: Actor, files: MultiDict, form: MultiDict) -> dict[str, Any]:
    """Store and measure the scan sent for one seal-scan field of an open task; return the recorded reading.

    Raises UploadRefused (no file, not an image, unknown field), LaneForbidden, TaskClaimedByOther, TaskNotOpen.
    """
    with product().session_factory() as session:
        page = load_task_page(session, task_id, actor, with_panels=False)
    _require_workable(page)
    name = form.get("scan_field", "")
    if not page.form or name not in scan_fields(page.form) or name not in scan_decisions(page.form):
        raise UploadRefused(400, "unknown_scan_field", "読み取る欄が見つかりません。画面を開き直してください")
    scan = read_upload(files.get(file_field(name)), accept=IMAGE_TYPES)
    dpi_name = dpi_field(page.form, name)
    dpi = scan_dpi(form.get(dpi_name)) if dpi_name else None
    with product().session_factory.begin() as session:
        sha = put_blob(session, scan.data, scan.media_type, filename=scan.filename or "scan",
                       created_by=actor.username)
        result = measure_scan(session, product().services, sha, dpi, actor.username)
        reading = {"task_id": task_id, "field": name, "dpi_entered": dpi, "filename": scan.filename,
                   "result": result}
        audit.record(session, actor, SCAN_READ, instance_id=page.task.instance_id, spec_name=page.task.spec_name,
                     title=page.task.title, summary=reading)
    return reading


def latest_reading(page: TaskPage) -> dict[str, Any] | None:
    """The newest scan read on this task's page (an audit event of the case, among those the page loaded), or None."""
    mine = [summary for event, summary in page.detail.events
            if event.kind == SCAN_READ and summary.get("task_id") == page.task.id]
    return mine[-1] if mine else None


def scan_views(page: TaskPage, fields: list, values: dict[str, Any], read_url: str) -> None:
    """Give each seal-scan field of an open task its reading state; a read scan becomes the field's value."""
    reading = latest_reading(page) if page.task.is_open else None
    decisions = scan_decisions(page.form or {})
    for view in fields:
        decision = decisions.get(view.name)
        if view.kind != "seal-scan" or not decision:
            continue  # only a scan the form decides on (ui.scan_decision) is read before completing
        mine = reading if reading and reading.get("field") == view.name else None
        if mine and not view.value:
            view.value = mine["result"].get("scan_blob_id")
        view.scan = {"read_url": read_url, "reading": mine, "decision": decision.get("decision"),
                     "compare_only": bool(decision.get("compare_only")),
                     "reason": decision.get("reason"), "reason_value": values.get(decision.get("reason", "")),
                     "reason_error": None}
    dpi_values(page, fields, reading)


def dpi_values(page: TaskPage, fields: list, reading: dict[str, Any] | None) -> None:
    """The dpi typed for the reading stays in its field, so completing measures the scan the same way."""
    if not reading or reading.get("dpi_entered") is None:
        return
    name = dpi_field(page.form or {}, reading.get("field", ""))
    for view in fields:
        if view.name == name and view.value in (None, ""):
            view.value = int(reading["dpi_entered"])


def read_scans_ahead(document: dict, values: dict[str, Any]) -> None:
    """Measure the form's seal scans now, before the completion's transaction: its 4.1.5.1 measurement then finds
    them read instead of reading them while holding the audit chain lock every other clerk's write waits for. A
    stamp the form itself checks (ui.impression_required) was read by that check already."""
    required = (document.get("ui") or {}).get("impression_required") or {}
    for name in scan_fields(document):
        sha = values.get(name)
        if name in required or not isinstance(sha, str) or not sha:
            continue
        with product().session_factory() as session:
            try:
                data = get_blob(session, sha).data
            except BlobNotFound:
                continue  # the form's check refuses an unknown scan
        dpi_name = dpi_field(document, name)
        read_ahead(product().services, data, scan_dpi(values.get(dpi_name)) if dpi_name else None)


def dpi_field(document: dict, name: str) -> str | None:
    """The field giving a scan's dpi: ui.impression_required's, else the scan field's name with _dpi."""
    required = (document.get("ui") or {}).get("impression_required") or {}
    if isinstance(required, dict) and required.get(name):
        return required[name]
    guess = name.removesuffix("_blob_id") + "_dpi"
    return guess if guess in properties(document) else None


def _require_workable(page: TaskPage) -> None:
    if not page.may_work_lane:
        raise LaneForbidden(f"{page.task.lane}の作業はこの役割では処理できません")
    if not page.task.is_open:
        raise TaskNotOpen("この作業は完了しています")
    if page.claimed_by_other:
        raise TaskClaimedByOther(f"{staff_name(page.task.claimed_by)} さんが担当中のため、読み取れません")


