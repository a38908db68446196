"""2.1.3 基本検索, the lookup behind the resident-search widget, 2.2.1 登録内容照会 (with 印影照合) and blobs."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request
from flask_login import current_user, login_required

from engine.runtime.queries import recent_instances
from handlers.services.certificates import CHANNELS
from handlers.services.documents import REPRINTABLE
from juki import InvalidQuery, JukiError, Resident
from registry.seals import records
from registry.seals.models import RecordStatus
from webui.audit.access import log_list_view, log_person_view, purpose_gate
from webui.auth.users import CLERK_ROLES, current_actor, roles_required
from webui.documents.blobs import page_blob_response
from webui.inbox.starting import resident_offers
from webui.params import MAX_PAGE, int_param
from webui.residents.collate import (
    CollateError,
    collate,
    parse_decision,
    parse_dpi,
    read_upload,
    recollate,
    record_decision,
)
from webui.residents.forms import SearchForm, lookup_query
from webui.residents.view import fraud_warnings, record_views
from webui.templating import RESIDENT_STATUS_LABELS, wareki
from webui.wiring import product

bp = Blueprint("residents", __name__)

PER_PAGE = 50


@bp.get("")
@login_required
def search():
    """2.1.3 基本検索: 50 rows a page, keyset paging (?after=<the last row's 住民ID>), the registrations of the
    page's people in one query."""
    form = SearchForm.from_args(request.args)
    page_no = int_param("page", 1, maximum=MAX_PAGE)  # shown only: the position comes from `after`
    after = (request.args.get("after") or "").strip()[:40] or None
    results, total, message, numbers = [], 0, None, {}
    if not form.is_empty:
        with product().session_factory() as session:
            register = product().juki(session)
            try:
                query = form.query(limit=PER_PAGE, offset=0, after=after)
                results, total = register.search(query), register.count(query)
            except InvalidQuery as exc:
                message = exc.message
            numbers = records.active_numbers_of(session, [r.resident_id for r in results])
            log_list_view(session, [r.resident_id for r in results], "2.1.3 基本検索の結果", commit=True)
    pages = max(1, -(-total // PER_PAGE))
    offers = resident_offers(results, numbers, "sokuji_touroku")  # a row offers 4.1.2 only to who may register
    has_next = bool(results) and len(results) == PER_PAGE and page_no < pages
    return render_template("residents/search.html", form=form, results=results, total=total, numbers=numbers,
                           message=message, page_no=page_no if after else 1, pages=pages, offers=offers,
                           next_after=results[-1].resident_id if has_next else None)


@bp.get("/lookup")
@login_required
def lookup():
    """JSON for the resident-search widget: {results: [...], message}."""
    text = (request.args.get("q") or "").strip()
    if not text:
        return jsonify({"results": [], "message": "氏名・カナ・住民IDのいずれかを入力してください"})
    with product().session_factory() as session:
        try:
            found = product().juki(session).search(lookup_query(text))
        except JukiError as exc:
            return jsonify({"results": [], "message": exc.message})
        log_list_view(session, [r.resident_id for r in found], "住民検索（候補）", commit=True)
    return jsonify({"results": [_resident_json(r) for r in found],
                    "message": None if found else "該当する住民が見つかりません"})


@bp.get("/<resident_id>")
@login_required
def show(resident_id: str):
    gate = purpose_gate(resident_id)  # the first view of this person in a session asks why (access log)
    if gate is not None:
        return gate
    with product().session_factory() as session:
        register = product().juki(session)
        try:
            person = register.get_resident(resident_id)
        except JukiError:
            person = None
        views = record_views(session, resident_id, product().services.today())
        if person is None and not views:
            abort(404)
        log_person_view(session, resident_id, "2.2.1 登録内容照会", commit=True)
        members = register.household_members(person.household_id) if person else []
        instances = recent_instances(session, resident_id=resident_id, per_page=100)
        return render_template("residents/show.html", person=person, resident_id=resident_id, members=members,
                               views=views, instances=instances, reprintable=REPRINTABLE, channels=CHANNELS,
                               active=next((v for v in views if v.record.status == "registered"), None),
                               suspicions=fraud_warnings(session, resident_id),
                               offers=resident_offers([person] if person else [], {
                                   v.record.resident_id: True for v in views if v.record.status == "registered"},
                                   "sokuji_touroku"))


@bp.post("/<resident_id>/collate/<number>")
@roles_required(*CLERK_ROLES)
def collate_seal(resident_id: str, number: str):
    """印影照合: the impression on an uploaded document against the active registration's impression."""
    with product().session_factory.begin() as session:
        record = _collatable(session, resident_id, number)
        log_person_view(session, resident_id, "2.2.1 印影照合", target=number)  # the page shows the record
        try:
            dpi = parse_dpi(request.form.get("dpi"))
            data = read_upload(request.files.get("scan"))
            result = collate(session, product().services, record, data, dpi, current_user.username)
        except CollateError as exc:
            return _collate_page(record, None, error=exc.message), 422
        return _collate_page(record, result)


@bp.post("/<resident_id>/collate/<number>/decision")
@roles_required(*CLERK_ROLES)
def collate_decision(resident_id: str, number: str):
    """印影照合 要確認: the clerk records 同一 or 別 with a reason (audited) on the comparison made again."""
    with product().session_factory.begin() as session:
        record = _collatable(session, resident_id, number)
        log_person_view(session, resident_id, "2.2.1 印影照合", target=number)  # the page shows the record
        try:
            dpi = parse_dpi(request.form.get("dpi"))
            result = recollate(session, product().services, record, request.form.get("scan_sha", ""), dpi,
                               current_user.username)
        except CollateError as exc:
            return _collate_page(record, None, error=exc.message), 422
        try:
            decision = parse_decision(request.form.get("decision"), request.form.get("reason"))
            record_decision(session, product().services, current_actor(), record, result, decision)
        except CollateError as exc:
            return _collate_page(record, result, decision_error=exc.message), 409 if exc.code == "not_unsure" else 422
        return _collate_page(record, result, decision=decision)


def _collatable(session, resident_id: str, number: str):
    """The active registration to collate against; 404 when unknown, someone else's or closed."""
    record = records.registration_by_number(session, number)
    if record is None or record.resident_id != resident_id or record.status != RecordStatus.REGISTERED:
        abort(404)
    return record


def _collate_page(record, result, *, error=None, decision=None, decision_error=None) -> str:
    form = request.form
    return render_template("residents/collate.html", record=record, result=result, error=error,
                           dpi_text=form.get("dpi", ""), decision=decision, decision_error=decision_error,
                           decision_value=form.get("decision", ""), reason_text=form.get("reason", ""))


@bp.get("/blobs/<sha>")
@login_required
def blob(sha: str):
    """A stored image or PDF; `?download=1` sends it as an attachment (webui/documents/blobs.py: the one door)."""
    return page_blob_response(sha)


def _resident_json(resident: Resident) -> dict:
    return {"resident_id": resident.resident_id, "name": resident.name, "kana": resident.kana,
            "birth_date": resident.birth_date.isoformat(), "birth_wareki": wareki(resident.birth_date),
            "sex": resident.sex, "address": resident.address, "status": resident.status,
            "status_label": RESIDENT_STATUS_LABELS.get(resident.status, resident.status)}
