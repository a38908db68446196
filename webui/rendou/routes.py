"""住民記録連動: the resident events the registry received, what became of each, and the ones a clerk must check."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.intake import EventOutcome, count_open_incidents, open_incidents, recent_events
from engine.rendou import resolve_incident
from juki.events import EVENT_KINDS
from webui.auth.users import current_actor, roles_required
from webui.wiring import product

bp = Blueprint("rendou", __name__)

VIEW_ROLES = ("backyard", "manager", "auditor", "admin")
RESOLVE_ROLES = ("backyard", "manager")
BADGE_PAGES = ("inbox.index", "rendou.index")


@bp.get("/")
@roles_required(*VIEW_ROLES)
def index():
    resident_id = (request.args.get("resident_id") or "").strip() or None
    with product().session_factory() as session:
        incidents = open_incidents(session)
        events = recent_events(session, 200, resident_id)
    return render_template("rendou/index.html", incidents=incidents, events=events, resident_id=resident_id,
                           kinds=EVENT_KINDS, outcomes=EventOutcome.LABELS,
                           may_resolve=current_user.role in RESOLVE_ROLES)


@bp.post("/<int:event_row_id>/resolve")
@roles_required(*RESOLVE_ROLES)
def resolve(event_row_id: int):
    with product().session_factory.begin() as session:
        row = resolve_incident(session, event_row_id, current_actor())
        if row is None:
            abort(404)
        event_id = row.event_id
    flash(f"異動通知 {event_id} を確認済みにしました", "success")
    return redirect(url_for("rendou.index"))


@bp.app_context_processor
def open_incident_count() -> dict:
    """The number shown beside 「住民記録連動」 in the menu of the inbox and of this page, for those who deal with it.

    Only on pages whose view has closed its own session before rendering: on SQLite a second transaction opened
    while the page's one is still open would wait for its write lock.
    """
    if request.endpoint not in BADGE_PAGES or not getattr(current_user, "is_authenticated", False) \
            or current_user.role not in VIEW_ROLES:
        return {}
    with product().session_factory() as session:
        return {"rendou_open_incidents": count_open_incidents(session)}
