"""Task pages: show a human task with its context panels and schema form; claim, unclaim and complete it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy.orm import Session

from engine.errors import EngineError, FormInvalid, LaneForbidden
from engine.library.forms import coerce_form_input, validate_form
from engine.models import HumanTask, Incident
from engine.runtime.queries import get_task, task_form
from engine.runtime.runner import RunOutcome
from webui.audit.access import log_person_view
from webui.auth.next_url import safe_next
from webui.auth.users import CLERK_ROLES, current_actor, roles_required
from webui.tasks.forms import field_views, form_values, prefilled_values
from webui.tasks.scan_read import read_scan, read_scans_ahead, scan_views
from webui.tasks.uploads import file_field, store_scan_uploads
from webui.tasks.view import TaskPage, load_task_page
from webui.templating import leading_function_id, mm, strip_function_id
from webui.uploads import UploadRefused
from webui.wiring import product

bp = Blueprint("tasks", __name__)


@bp.get("/<int:task_id>")
@login_required
def show(task_id: int):
    actor = current_actor()
    with product().session_factory() as session:
        _claim_on_open(session, task_id, actor)
        page = load_task_page(session, task_id, actor)
        log_person_view(session, page.detail.instance.subject_resident_id, "作業画面", target=f"task:{task_id}",
                        instance_id=page.detail.instance.id, commit=True)
        values = prefilled_values(page.form, page.data, again=page.task.is_open and page.is_repeat) if page.form else {}
        return _render(page, values, {})


@bp.post("/<int:task_id>")
@roles_required(*CLERK_ROLES)
def complete(task_id: int):
    actor = current_actor()
    with product().session_factory() as session:  # the task and its form only: the engine restores the case
        task = get_task(session, task_id)
        form = task_form(session, product().specs, task_id)
    if not actor.may_work(task.lane):
        raise LaneForbidden(f"{task.lane}の作業はこの役割では処理できません")
    values = form_values(form, request.form) if form else {}
    upload_errors = store_scan_uploads(form, request.files, values, actor.username) if form else {}
    try:
        if upload_errors:
            raise FormInvalid("入力内容に誤りがあります。赤字の項目を確認してください。",
                              _validation_errors(form, values) | upload_errors)
        if form:
            read_scans_ahead(form, values)
        outcome = product().runner.complete(task_id, actor, values, from_html=True)
    except FormInvalid as exc:
        with product().session_factory() as session:
            page = load_task_page(session, task_id, actor)
            log_person_view(session, page.detail.instance.subject_resident_id, "作業画面", target=f"task:{task_id}",
                            instance_id=page.detail.instance.id, commit=True)
            return _render(page, values, exc.errors, exc.message), 422
    _flash_outcome(task.title, outcome)
    if outcome.next_task_id:
        return redirect(url_for("tasks.show", task_id=outcome.next_task_id))
    return redirect(url_for("inbox.index"))


@bp.post("/<int:task_id>/scan")
@roles_required(*CLERK_ROLES)
def read_scan_upload(task_id: int):
    """4.1.5.1 読み取る: measure the chosen scan and show it on the task page before anything is decided."""
    try:
        reading = read_scan(task_id, current_actor(), request.files, request.form)
    except UploadRefused as exc:
        flash(exc.message, "error")
        return redirect(url_for("tasks.show", task_id=task_id))
    result = reading["result"]
    if result.get("acceptable"):
        flash(f"印影を読み取りました（{mm(result.get('square_mm'))} 四方）。確認して「この印影で進む」を押してください",
              "success")
    else:
        flash("この読取結果では登録できません。理由を確認し、読み直してください", "error")
    return redirect(url_for("tasks.show", task_id=task_id, _anchor=f"field-{reading['field']}"))


@bp.post("/<int:task_id>/claim")
@roles_required(*CLERK_ROLES)
def claim(task_id: int):
    """担当する, or 担当を引き継ぐ (take_over=1) from the clerk who has it (audited with their name)."""
    take_over = request.form.get("take_over") == "1"
    product().runner.claim(task_id, current_actor(), take_over=take_over)
    flash("この作業の担当を引き継ぎました" if take_over else "この作業を担当しました", "success")
    return redirect(_next_url(task_id))


@bp.post("/<int:task_id>/unclaim")
@roles_required(*CLERK_ROLES)
def unclaim(task_id: int):
    product().runner.unclaim(task_id, current_actor())
    flash("担当を外しました", "info")
    return redirect(_next_url(task_id))


def _render(page: TaskPage, values: dict[str, Any], errors: dict[str, str],
            message: str | None = None):
    fields = field_views(page.form, values, errors, page.data) if page.form else []
    scan_views(page, fields, values, url_for("tasks.read_scan_upload", task_id=page.task.id))
    for view in fields:
        if view.scan and view.scan["reason"]:
            view.scan["reason_error"] = errors.get(view.scan["reason"])
    return render_template("tasks/task.html", page=page, fields=fields, errors=errors, error_message=message,
                           file_field=file_field, multipart=any(f.kind == "seal-scan" for f in fields))


def _validation_errors(document: dict, values: dict[str, Any]) -> dict[str, str]:
    try:
        validate_form(document, coerce_form_input(document, values))
    except FormInvalid as exc:
        return exc.errors
    return {}


def _incident_reason(incident_id: int) -> str:
    """The incident's own message when it is one of ours (a coded, Japanese refusal such as 住基 / J-LIS down)."""
    with product().session_factory() as session:
        incident = session.get(Incident, incident_id)
        return f"（{incident.message}）" if incident is not None and incident.error_code else ""


def _claim_on_open(session: Session, task_id: int, actor) -> None:
    """One claim model: a clerk opening an unclaimed open task of their lane takes it (no 担当する click).
    Nothing happens for read-only roles, other lanes, a task someone has, or an approval the clerk may not do.

    The row is read in the page's session (which goes on to show it); a claim first ends that session's
    transaction (on SQLite it holds the write lock the claim's own transaction needs) and the page reads anew."""
    if not actor.lanes:
        return
    row = session.get(HumanTask, task_id)
    if row is None or not row.is_open or row.claimed_by or not actor.may_work(row.lane):
        return
    session.rollback()  # nothing written yet; the objects read so far are expired and read again after the claim
    try:
        product().runner.claim(task_id, actor)
    except EngineError:  # four eyes, someone faster, the case stopped: the page says why, read-only
        return


def _flash_outcome(title: str, outcome: RunOutcome) -> None:
    flash(f"「{strip_function_id(title)}」を完了しました（事案 {outcome.instance_id}）", "success")
    if outcome.incident_id:
        flash(f"事案 {outcome.instance_id} の自動処理でエラーが発生しました。{_incident_reason(outcome.incident_id)}"
              "事案の画面で内容を確認し、再実行してください", "error")
    elif outcome.status in ("completed", "terminated"):
        flash(f"事案 {outcome.instance_id} は終了しました（{outcome.outcome or '終了'}）", "info")
    elif not outcome.next_task_id:
        flash(next_step_message(outcome), "info")


def next_step_message(outcome: RunOutcome) -> str:
    """「次は バックヤード の『印影読取 (4.1.5.1)』です」: where the case went when its next task is not the clerk's."""
    if not outcome.next_steps:
        return f"事案 {outcome.instance_id} は待機中です（次の作業はまだありません）"
    parts = []
    for step in outcome.next_steps:
        fid = leading_function_id(step.title)
        who = f"（{step.claimed_by} さんが担当）" if step.claimed_by else ""
        parts.append(f"{step.lane} の『{strip_function_id(step.title)}{f' ({fid})' if fid else ''}』{who}")
    return f"次は {'、'.join(parts)}です"


def _next_url(task_id: int) -> str:
    return safe_next(request.form.get("next"), url_for("tasks.show", task_id=task_id))
