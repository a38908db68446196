"""The inbox (受付箱) per lane, and 業務の開始: start a flow, optionally for a resident found by 2.1.3."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engine.access_log import subjects_of_instances
from engine.catalog import list_active_definitions
from engine.queries import inbox, open_task_counts
from handlers.start_data import MAX_RESIDENT_ID, StartDataInvalid, check_start_data
from webui.audit.access import log_list_view
from webui.auth.users import CLERK_ROLES, current_actor, roles_required
from webui.params import MAX_PAGE, int_param
from webui.templating import LANES
from webui.wiring import product

bp = Blueprint("inbox", __name__)

PER_PAGE = 50


def visible_lanes() -> tuple[str, ...]:
    """The lanes whose inbox this user sees: the lanes they work, or every lane for read-only roles."""
    lanes = current_actor().lanes
    return lanes or LANES


@bp.get("/")
@login_required
def index():
    lanes = visible_lanes()
    lane = request.args.get("lane") or lanes[0]
    if lane not in lanes:
        abort(404)
    mine = request.args.get("mine") == "1"
    page_no = int_param("page", 1, maximum=MAX_PAGE)
    claimed_by = current_user.username if mine else None
    with product().session_factory() as session:
        page = inbox(session, lane, page=page_no, per_page=PER_PAGE, claimed_by=claimed_by)
        if page_no > page.pages:  # past the end (tasks were completed meanwhile): show the last page
            page = inbox(session, lane, page=page.pages, per_page=PER_PAGE, claimed_by=claimed_by)
        counts = open_task_counts(session)
        log_list_view(session, subjects_of_instances(session, [row.instance_id for row in page.rows]), "受付箱の一覧",
                      commit=True)
    return render_template("inbox/index.html", lanes=lanes, lane=lane, mine=mine, page=page, counts=counts,
                           may_work=current_actor().may_work(lane))


@bp.get("/start")
@login_required
def start_page():
    return _start_page(request.args.get("resident_id", "")[:MAX_RESIDENT_ID], error=None)


def _start_page(resident_id: str, error: str | None):
    with product().session_factory() as session:
        definitions = list_active_definitions(session)
    return render_template("inbox/start.html", definitions=definitions, resident_id=resident_id, error=error)


@bp.post("/start/<process_id>")
@roles_required(*CLERK_ROLES)
def start(process_id: str):
    resident_id = (request.form.get("resident_id") or "").strip()
    try:
        with product().session_factory() as session:
            data = check_start_data(session, product().juki(session), {"resident_id": resident_id})
    except StartDataInvalid as exc:
        return _start_page(resident_id[:MAX_RESIDENT_ID], error=exc.message), 422
    outcome = product().runner.start(process_id, current_actor(), data)
    flash(f"事案 {outcome.instance_id} を開始しました", "success")
    if outcome.incident_id:
        flash("自動処理でエラーが発生しました。事案の画面で内容を確認してください", "error")
    if outcome.next_task_id:
        return redirect(url_for("tasks.show", task_id=outcome.next_task_id))
    return redirect(url_for("instances.show", instance_id=outcome.instance_id))
