"""/audit: the purpose interstitial, the access log, the chain check, the reports dashboard (with CSV) and the
orphan report (impression rows and blobs nothing uses; removed only by `inkan registry orphans --delete`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length

from engine.evidence.access_log import MAX_NOTE, PURPOSES, AccessQuery, search_access
from engine.evidence.anchors import anchors_of
from engine.evidence.verify import verify_snapshot
from webui.audit.access import PURPOSE_LABELS, after_purpose, pending_download
from webui.audit.dashboard import TABLES, build_dashboard
from webui.audit.purposes import last_purpose, open_question, remember, settle
from webui.audit.subject import question_subject
from webui.auth.next_url import is_local_path, safe_next
from webui.auth.users import roles_required
from webui.csv_export import csv_response
from webui.orphans.service import find_orphans
from webui.params import int_param, text_param
from webui.refusals import RequestRefused
from webui.templating import JST, jst
from webui.wiring import product

bp = Blueprint("audit", __name__)
bp.app_template_global("pending_download")(pending_download)  # base.html starts a held-back download

READERS = ("auditor", "manager", "admin")  # reports and the chain check
ACCESS_LOG_READERS = ("auditor", "admin")  # who looked at whom: the privacy officer and the operators
ORPHAN_READERS = ("auditor", "admin")
PER_PAGE = 50
MAX_ACCESS_PAGE = 10_000
MAX_CSV_ROWS = 10_000
ACCESS_CSV_HEADER = ("日時（日本時間）", "職員", "役割", "住民ID", "閲覧した内容", "対象", "目的", "目的の内容")
MAX_DAYS = 366


class PurposeForm(FlaskForm):
    purpose = RadioField("閲覧の目的", choices=list(PURPOSES.items()),
                         validators=[DataRequired("閲覧の目的を選んでください")])
    note = StringField("内容", validators=[Length(max=MAX_NOTE)])


@bp.route("/purpose", methods=["GET", "POST"])
@login_required
def purpose():
    """The interstitial: why the clerk opens this person's data in this case (asked once per person and case in a
    session). Only what a page's gate asked about is named; anything else goes on to the page, which asks anew."""
    form = PurposeForm()
    target = safe_next(request.values.get("next"))
    question = open_question(target)
    if question is None:
        return redirect(target)
    if form.validate_on_submit():
        note = (form.note.data or "").strip() or None
        if form.purpose.data == "other" and not note:
            form.note.errors = ["「その他」のときは内容を記入してください"]
        else:
            remember(*question, form.purpose.data, note)
            settle(target)
            return redirect(after_purpose(target, request.values.get("back")))
    status = 422 if request.method == "POST" else 200
    back = request.values.get("back")
    return render_template("audit/purpose.html", form=form, next_url=target, last=last_purpose(),
                           subject=question_subject(*question), back_url=back if back and is_local_path(back) else None,
                           labels=PURPOSE_LABELS), status


@bp.get("/access")
@roles_required(*ACCESS_LOG_READERS)
def access_log():
    """Who viewed whose data, newest first: by person (resident id) and / or by clerk."""
    resident_id, actor = text_param("resident_id", max_length=40), text_param("actor", max_length=100)
    day_from, day_to = _period(default_days=None)
    page_no = int_param("page", 1, maximum=MAX_ACCESS_PAGE)
    with product().session_factory() as session:
        rows, total = search_access(session, _access_query(resident_id, actor, day_from, day_to, PER_PAGE,
                                                           (page_no - 1) * PER_PAGE))
    return render_template("audit/access.html", rows=rows, total=total, page_no=page_no,
                           pages=max(1, -(-total // PER_PAGE)), resident_id=resident_id or "", actor=actor or "",
                           day_from=day_from, day_to=day_to, labels=PURPOSE_LABELS)


@bp.get("/access.csv")
@roles_required(*ACCESS_LOG_READERS)
def access_log_csv():
    """The access log with the page's filters as CSV (newest first, at most MAX_CSV_ROWS rows)."""
    resident_id, actor = text_param("resident_id", max_length=40), text_param("actor", max_length=100)
    day_from, day_to = _period(default_days=None)
    with product().session_factory() as session:
        rows, _ = search_access(session, _access_query(resident_id, actor, day_from, day_to, MAX_CSV_ROWS, 0))
    lines = [(jst(r.at, "%Y-%m-%d %H:%M:%S"), r.actor, r.actor_role or "", r.resident_id, r.what, r.target or "",
              PURPOSE_LABELS.get(r.purpose, r.purpose), r.purpose_note or "") for r in rows]
    return csv_response("inkan_access_log.csv", ACCESS_CSV_HEADER, lines)


def _access_query(resident_id, actor, day_from, day_to, limit: int, offset: int) -> AccessQuery:
    return AccessQuery(resident_id=resident_id, actor=actor, date_from=_utc_start(day_from),
                       date_to=_utc_start(day_to + timedelta(days=1)) if day_to else None, limit=limit,
                       offset=offset)


@bp.get("/chains")
@roles_required(*READERS)
def chains():
    """Check every hash chain now: from the newest anchor on (every anchor re-checked), or ?full=1 every row."""
    full = request.args.get("full") == "1"
    reports = verify_snapshot(product().session_factory, since_anchor=not full)
    with product().session_factory() as session:
        anchors = anchors_of(session, limit=30)
    return render_template("audit/chains.html", reports=reports, anchors=anchors, full=full)


@bp.get("/orphans")
@roles_required(*ORPHAN_READERS)
def orphans():
    """The orphan sweep's dry run: what `inkan registry orphans --delete` would remove now."""
    return render_template("audit/orphans.html", report=find_orphans(product()))


@bp.get("")
@bp.get("/")
@roles_required(*READERS)
def index():
    """/audit (the README's address): the auditor's dashboard."""
    return redirect(url_for(".reports"))


@bp.get("/reports")
@roles_required(*READERS)
def reports():
    day_from, day_to = _period(default_days=30)
    with product().session_factory() as session:
        dashboard = build_dashboard(session, day_from, day_to)
    return render_template("audit/reports.html", d=dashboard, tables=TABLES)


@bp.get("/reports.csv")
@roles_required(*READERS)
def report_csv():
    """One dashboard table (?table=instances|task_times|…) as CSV for Excel (UTF-8 with BOM)."""
    table = request.args.get("table", "")
    if table not in TABLES:
        abort(404)
    day_from, day_to = _period(default_days=30)
    with product().session_factory() as session:
        dashboard = build_dashboard(session, day_from, day_to)
    return csv_response(f"inkan_{table}_{day_from.isoformat()}_{day_to.isoformat()}.csv", TABLES[table],
                        dashboard.tables[table])


def _period(default_days: int | None) -> tuple[date | None, date | None]:
    """from / to (office days, inclusive) from the query; bad dates are refused (400), the span is capped."""
    today = datetime.now(JST).date()
    day_to = _date_arg("to") or (today if default_days else None)
    day_from = _date_arg("from") or (day_to - timedelta(days=default_days - 1) if default_days else None)
    if day_from and day_to:
        if day_from > day_to:
            day_from, day_to = day_to, day_from
        day_from = max(day_from, day_to - timedelta(days=MAX_DAYS))
    return day_from, day_to


def _date_arg(name: str) -> date | None:
    """An office day from the query (absent: None); a malformed or far-off date is refused (400), not ignored."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        value = None
    if value is None or not date(1990, 1, 1) <= value <= date(2200, 1, 1):
        message = f"{name} は 2026-04-01 の形式で、1990年から2200年までの日付を指定してください"
        raise RequestRefused(400, "invalid_parameter", message, fields={name: message})
    return value


def _utc_start(day: date | None) -> datetime | None:
    return datetime.combine(day, datetime.min.time()) - timedelta(hours=9) if day else None
