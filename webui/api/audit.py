"""API views for auditors and operators: instance search, an instance's evidence timeline, the access log,
the chain check, the reports, and the operations (suspend / resume / terminate / reassign)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta

from flask import jsonify, request

from engine.actor import Actor
from engine.evidence.access_log import AccessQuery, search_access
from engine.evidence.search import search_instances
from engine.evidence.verify import verify_snapshot
from engine.runtime.operations import MAX_REASON, OPERATOR_ROLES, AssigneeNotFound, InstanceOperations
from engine.runtime.queries import element_names, instance_detail
from engine.runtime.steps import element_lanes, step_data
from registry.documents.queries import documents_of_instance
from registry.seals import records
from registry.staff import accounts
from webui.api import schemas
from webui.api.access import api_actor, require_roles
from webui.api.params import ApiError, bool_param, int_param, json_body, string_field, text_param
from webui.audit.access import log_api_list, log_api_view
from webui.audit.dashboard import build_dashboard
from webui.instances.search_form import InstanceSearchForm
from webui.instances.timeline import timeline
from webui.templating import JST
from webui.wiring import product

READERS = ("auditor", "manager", "admin")
ACCESS_LOG_READERS = ("auditor", "admin")
MAX_REPORT_DAYS = 366


def instance_search():
    """GET /instances/search: the same criteria as the 事案検索 page, keyset pages (after / before cursors)."""
    form = InstanceSearchForm.from_args(request.args)
    per_page = int_param("per_page", 50, maximum=200)
    with product().session_factory() as session:
        query = form.query(product().juki(session), per_page=per_page, after=text_param("after"),
                           before=text_param("before"))
        if form.messages:
            raise ApiError(400, "invalid_parameter", "、".join(form.messages))
        page = search_instances(session, query)
        rows = [schemas.instance_row_json(row.instance, row.process_name) | {"version": row.version}
                for row in page.rows]
        log_api_list(session, api_actor(), [row.instance.subject_resident_id for row in page.rows],
                     "事案検索の結果（API）")
        session.commit()
    return jsonify({"rows": rows, "total": page.total, "total_is_capped": page.total_is_capped,
                    "total_estimate": page.total_estimate,
                    "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor})


def instance_timeline(instance_id: int):
    """GET /instances/<id>/timeline: every event with lane, changes, documents, neighbour answers, step data."""
    prod = product()
    with prod.session_factory.begin() as session:
        detail = instance_detail(session, prod.specs, instance_id)
        names, lanes = element_names(detail.definition), element_lanes(detail.definition)
        steps = step_data(detail)
        rows = timeline(detail, prod.specs.get(detail.definition).forms, prod.handlers, names, lanes, steps)
        log_api_view(session, api_actor(), detail.instance.subject_resident_id, "事案の詳細（API）",
                     target=f"instance:{instance_id}")
        return jsonify({
            "instance_id": instance_id, "status": detail.instance.status,
            "events": [_row_json(row) for row in rows],
            "history": [schemas.history_json(e) | {"chain_seq": e.chain_seq, "row_hash": e.row_hash}
                        for e in records.history_of_instance(session, instance_id)],
            "documents": [schemas.document_json(d) for d in documents_of_instance(session, instance_id)],
        })


def _row_json(row) -> dict:
    data = asdict(row)
    data["at"] = schemas.iso(row.at)
    data["changes"] = [asdict(c) for c in row.changes]
    return data


def access_log():
    """GET /audit/access-log: views of people's data by person (resident_id) and / or clerk (actor)."""
    require_roles(*ACCESS_LOG_READERS)
    page, per_page = int_param("page", 1, maximum=10_000), int_param("per_page", 50, maximum=200)
    query = AccessQuery(resident_id=text_param("resident_id"), actor=text_param("actor"),
                        limit=per_page, offset=(page - 1) * per_page)
    with product().session_factory() as session:
        rows, total = search_access(session, query)
        return jsonify({"rows": [_access_json(r) for r in rows], "total": total, "page": page,
                        "per_page": per_page, "pages": max(1, -(-total // per_page))})


def _access_json(entry) -> dict:
    return {"id": entry.id, "at": schemas.iso(entry.at), "actor": entry.actor, "actor_role": entry.actor_role,
            "resident_id": entry.resident_id, "what": entry.what, "target": entry.target,
            "purpose": entry.purpose, "purpose_note": entry.purpose_note, "chain_seq": entry.chain_seq}


def audit_chains():
    """GET /audit/chains: verify every hash chain now (?since_anchor=true: from the newest anchor on)."""
    require_roles(*READERS)
    since_anchor = bool_param("since_anchor")
    reports = verify_snapshot(product().session_factory, since_anchor=since_anchor)
    return jsonify([{"chain": r.name, "ok": r.ok, "rows": r.rows, "head_seq": r.head_seq, "head_hash": r.head_hash,
                     "broken_id": r.broken_id, "broken_seq": r.broken_seq, "problem": r.problem,
                     "from_seq": r.from_seq}
                    for r in reports])


def audit_reports():
    """GET /audit/reports?from=&to=: every dashboard table as rows (CSV from the page)."""
    require_roles(*READERS)
    day_to = _date_param("to") or datetime.now(JST).date()
    day_from = _date_param("from") or day_to - timedelta(days=29)
    if day_from > day_to or (day_to - day_from).days > MAX_REPORT_DAYS:
        raise ApiError(400, "invalid_parameter", f"期間は from ≦ to、{MAX_REPORT_DAYS}日以内で指定してください")
    with product().session_factory() as session:
        dashboard = build_dashboard(session, day_from, day_to)
    return jsonify({"from": day_from.isoformat(), "to": day_to.isoformat(),
                    "tables": {name: [list(row) for row in rows] for name, rows in dashboard.tables.items()}})


def _date_param(name: str) -> date | None:
    raw = text_param(name)
    if raw is None:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, "invalid_parameter", f"{name} は 2026-04-01 の形式で指定してください") from None
    if not date(1990, 1, 1) <= value <= date(2200, 1, 1):
        raise ApiError(400, "invalid_parameter", f"{name} の日付が範囲外です")
    return value


def _operate(instance_id: int, operation: str):
    actor = require_roles(*OPERATOR_ROLES)
    reason = string_field(json_body(), "reason", max_length=MAX_REASON)
    status = getattr(InstanceOperations(product().runner), operation)(instance_id, actor, reason)
    return jsonify({"instance_id": instance_id, "status": status})


def suspend_instance(instance_id: int):
    return _operate(instance_id, "suspend")


def resume_instance(instance_id: int):
    return _operate(instance_id, "resume")


def terminate_instance(instance_id: int):
    return _operate(instance_id, "terminate")


def reassign_task(task_id: int):
    actor = require_roles(*OPERATOR_ROLES)
    body = json_body()
    to_name, reason = string_field(body, "to", max_length=100), string_field(body, "reason", max_length=MAX_REASON)
    with product().session_factory() as session:
        user = accounts.find_user(session, to_name)
        if user is None or not user.is_active:
            raise AssigneeNotFound("担当者が見つかりません（利用者名を確認してください）")
        to = Actor(user.username, user.role, user.display_name)
    InstanceOperations(product().runner).reassign(task_id, actor, to, reason)
    return jsonify({"task_id": task_id, "claimed_by": to.username})
