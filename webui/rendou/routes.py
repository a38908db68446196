"""住民記録連動: how current the linkage with the register is, the resident events received and what became of
each, the ones a clerk must check, and change files with refused rows."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from handlers.linkage.intake import EventOutcome, count_open_incidents, open_incidents, recent_events
from handlers.linkage.processing import resolve_incident
from juki.events import EVENT_KINDS
from juki.linkage import open_file_errors
from juki.linkage.resolve import resolve_file_errors
from webui.auth.users import current_actor, roles_required
from webui.rendou.view import ways
from webui.wiring import product

bp = Blueprint("rendou", __name__)

VIEW_ROLES = ("backyard", "manager", "auditor", "admin")
RESOLVE_ROLES = ("backyard", "manager")
PULL_ROLES = ("backyard", "manager", "admin")
BADGE_PAGES = ("inbox.index", "rendou.index")


@bp.get("/")
@roles_required(*VIEW_ROLES)
def index():
    resident_id = (request.args.get("resident_id") or "").strip() or None
    with product().session_factory() as session:
        status = product().linkage_status(session)
        file_errors = [(record, json.loads(record.errors_json)) for record in open_file_errors(session)]
        incidents = open_incidents(session)
        events = recent_events(session, 200, resident_id)
    return render_template("rendou/index.html", incidents=incidents, events=events, resident_id=resident_id,
                           kinds=EVENT_KINDS, outcomes=EventOutcome.LABELS, status=status, ways=ways(status),
                           file_errors=file_errors, may_resolve=current_user.role in RESOLVE_ROLES,
                           may_pull=current_user.role in PULL_ROLES)


@bp.get("/status")
@roles_required(*VIEW_ROLES)
def status():
    """The linkage's state as JSON (juki.linkage.status): lag, cursor age, failures, files waiting or refused."""
    with product().session_factory() as session:
        return jsonify(product().linkage_status(session))


@bp.post("/pull")
@roles_required(*PULL_ROLES)
def pull_now():
    """「今すぐ取得」: take in the register's changes now, whatever the period (the worker then processes them)."""
    result = product().take_in_resident_changes(force=True)
    if result.errors:
        flash("住基の異動を取得できませんでした: " + " / ".join(result.errors), "error")
    else:
        flash(f"住基の異動を取得しました（新しい異動通知 {result.received} 件）。"
              "処理はワーカーが続けて行います", "success")
    return redirect(url_for("rendou.index"))


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


@bp.post("/files/<int:file_id>/resolve")
@roles_required(*RESOLVE_ROLES)
def resolve_file(file_id: int):
    """A clerk marks a change file's refused rows as dealt with (the register was asked to send them again)."""
    with product().session_factory.begin() as session:
        record = resolve_file_errors(session, file_id, current_actor().username, product().services.clock())
        if record is None:
            abort(404)
        name = record.name
    flash(f"異動ファイル {name} のエラーを確認済みにしました", "success")
    return redirect(url_for("rendou.index"))


@bp.app_context_processor
def open_incident_count() -> dict:
    """The number shown beside 「住民記録連動」 in the menu of the inbox and of this page, for those who deal with it:
    events to check plus change files with refused rows.

    Only on pages whose view has closed its own session before rendering: on SQLite a second transaction opened
    while the page's one is still open would wait for its write lock.
    """
    if request.endpoint not in BADGE_PAGES or not getattr(current_user, "is_authenticated", False) \
            or current_user.role not in VIEW_ROLES:
        return {}
    with product().session_factory() as session:
        return {"rendou_open_incidents": count_open_incidents(session) + len(open_file_errors(session))}
