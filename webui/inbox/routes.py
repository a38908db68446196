"""The inbox (受付箱) per lane, and 業務の開始: start a flow, optionally for a resident found by 2.1.3."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import session as web_session
from flask_login import current_user, login_required

from engine.db import utcnow
from engine.evidence.access_log import subjects_of_instances
from engine.library.catalog import list_active_definitions
from engine.runtime.queries import (
    DUE_FILTERS,
    INBOX_SORTS,
    InboxQuery,
    inbox,
    inbox_choices,
    open_task_counts,
)
from handlers.operators.residents import lookup_resident
from handlers.services.start_data import MAX_RESIDENT_ID, StartDataInvalid
from juki import JukiError
from webui.audit.access import log_list_view, log_person_view, purpose_gate
from webui.auth.users import CLERK_ROLES, current_actor, roles_required
from webui.inbox.starting import checked_start, offers_for
from webui.params import MAX_PAGE, choice_param, int_param, text_param
from webui.templating import LANES
from webui.wiring import product

bp = Blueprint("inbox", __name__)

PER_PAGE = 50


def visible_lanes() -> tuple[str, ...]:
    """The lanes whose inbox this user sees: the lanes they work, or every lane for read-only roles."""
    lanes = current_actor().lanes
    return lanes or LANES


# The clerk's inbox filters, kept per lane in their session (signed cookie: per user and sign-in) so the inbox
# opens as they left it; a lane tab or 受付箱 link without filter parameters restores them.
FILTERS_KEY = "inbox_filters"
FILTER_PARAMS = ("flow", "step", "due", "age", "sort", "order", "mine")
MAX_AGE_DAYS = 3650


@bp.get("/")
@login_required
def index():
    lanes = visible_lanes()
    lane = request.args.get("lane") or lanes[0]
    if lane not in lanes:
        abort(404)
    filters = _filters(lane)
    page_no = int_param("page", 1, maximum=MAX_PAGE)
    query = InboxQuery(process_id=filters.get("flow"), spec_name=filters.get("step"), due=filters.get("due"),
                       min_age_days=int(filters["age"]) if filters.get("age") else None,
                       sort=filters.get("sort") or "created", descending=filters.get("order") == "desc")
    mine = filters.get("mine") == "1"
    claimed_by = current_user.username if mine else None
    with product().session_factory() as session:
        page = inbox(session, lane, page=page_no, per_page=PER_PAGE, claimed_by=claimed_by, query=query)
        if page_no > page.pages:  # past the end (tasks were completed meanwhile): show the last page
            page = inbox(session, lane, page=page.pages, per_page=PER_PAGE, claimed_by=claimed_by, query=query)
        counts = open_task_counts(session)
        log_list_view(session, subjects_of_instances(session, [row.instance_id for row in page.rows]), "受付箱の一覧",
                      commit=True)
        flows, steps = inbox_choices(session, lane)
    return render_template("inbox/index.html", lanes=lanes, lane=lane, mine=mine, page=page, counts=counts,
                           may_work=current_actor().may_work(lane), filters=filters, flows=flows, steps=steps,
                           args={"lane": lane} | filters, now=utcnow(), sorts=SORT_LABELS, dues=DUE_LABELS)


SORT_LABELS = {"created": "受付の古い順", "due": "期限の近い順", "age": "事案の古い順", "flow": "業務", "step": "作業名"}
DUE_LABELS = {"overdue": "期限切れ", "week": "7日以内に期限", "any": "期限あり", "none": "期限なし"}


def _filters(lane: str) -> dict[str, str]:
    """This request's filters (checked: a bad value is a 400), else the ones the clerk left on this lane."""
    saved = web_session.get(FILTERS_KEY) or {}
    if request.args.get("clear"):
        filters: dict[str, str] = {}
    elif any(name in request.args for name in FILTER_PARAMS):
        filters = {"flow": text_param("flow", max_length=100), "step": text_param("step", max_length=100),
                   "due": choice_param("due", DUE_FILTERS), "sort": choice_param("sort", INBOX_SORTS),
                   "order": choice_param("order", ("asc", "desc")),
                   "mine": "1" if request.args.get("mine") == "1" else None}
        if text_param("age"):
            filters["age"] = str(int_param("age", 0, minimum=0, maximum=MAX_AGE_DAYS)) or None
        filters = {name: value for name, value in filters.items() if value and value != "0"}
    else:
        return dict(saved.get(lane) or {})
    if (saved.get(lane) or {}) != filters:
        web_session[FILTERS_KEY] = {**saved, lane: filters}
    return filters


@bp.get("/start")
@login_required
def start_page():
    resident_id = request.args.get("resident_id", "")[:MAX_RESIDENT_ID].strip()
    if (gate := purpose_gate(_known_resident(resident_id))) is not None:  # which flows this person may use
        return gate
    return _start_page(resident_id, error=None)


def _known_resident(resident_id: str) -> str | None:
    """The register's id of the person a start page is about (asked why before it shows them), or None."""
    if not resident_id:
        return None
    with product().session_factory() as session:
        try:
            resident = lookup_resident(product().juki(session), resident_id)
        except JukiError:
            return None
    return resident.resident_id if resident is not None else None


def _start_page(resident_id: str, error: str | None):
    with product().session_factory() as session:
        definitions = list_active_definitions(session)
        offers = {}
        if resident_id:
            try:
                resident = lookup_resident(product().juki(session), resident_id)
            except JukiError:
                resident = None
            if resident is not None:
                offers = offers_for(session, resident, [d.process_id for d in definitions])
                log_person_view(session, resident.resident_id, "業務の開始（開始できる業務）", commit=True)
    return render_template("inbox/start.html", definitions=definitions, resident_id=resident_id, error=error,
                           offers=offers)


@bp.post("/start/<process_id>")
@roles_required(*CLERK_ROLES)
def start(process_id: str):
    """Check the start; without ``confirmed`` ask for confirmation first (Enter in the 住民ID box starts nothing)."""
    resident_id = (request.form.get("resident_id") or "").strip()
    try:
        with product().session_factory() as session:
            checked = checked_start(session, process_id, resident_id)
    except StartDataInvalid as exc:
        return _start_page(resident_id[:MAX_RESIDENT_ID], error=exc.message), 422
    if request.form.get("confirmed") != "1":
        return redirect(url_for("inbox.confirm_start", process_id=process_id,
                                resident_id=checked.data.get("resident_id")))
    outcome = product().runner.start(process_id, current_actor(), checked.data)
    flash(f"事案 {outcome.instance_id} を開始しました", "success")
    if outcome.incident_id:
        flash("自動処理でエラーが発生しました。事案の画面で内容を確認してください", "error")
    if outcome.next_task_id:
        return redirect(url_for("tasks.show", task_id=outcome.next_task_id))
    return redirect(url_for("instances.show", instance_id=outcome.instance_id))


@bp.get("/start/<process_id>/confirm")
@roles_required(*CLERK_ROLES)
def confirm_start(process_id: str):
    """「この内容で開始しますか」: the flow and the person, with 開始する / やめる."""
    resident_id = request.args.get("resident_id", "")[:MAX_RESIDENT_ID].strip()
    if (gate := purpose_gate(_known_resident(resident_id))) is not None:
        return gate
    try:
        with product().session_factory() as session:
            checked = checked_start(session, process_id, resident_id)
            if checked.resident is not None:
                log_person_view(session, checked.resident.resident_id, "業務の開始の確認", commit=True)
    except StartDataInvalid as exc:
        return _start_page(resident_id, error=exc.message), 422
    return render_template("inbox/start_confirm.html", definition=checked.definition, data=checked.data,
                           resident=checked.resident)
