"""API views over the workflow engine: definitions, instances, the inbox, tasks and incidents."""

from __future__ import annotations

from flask import jsonify

from engine.errors import FormInvalid, LaneForbidden
from engine.evidence.access_log import subjects_of_instances
from engine.library import catalog
from engine.library.bundle import MAX_BUNDLE_BYTES
from engine.library.definitions import parse_definition, read_forms
from engine.models import InstanceStatus
from engine.runtime import queries
from handlers.services.start_data import check_start_data
from handlers.services.start_offers import check_start_allowed
from webui.api import schemas
from webui.api.access import api_actor, require_roles
from webui.api.params import (
    ApiError,
    bool_param,
    choice_param,
    int_param,
    json_body,
    object_field,
    page_params,
    string_field,
    text_param,
)
from webui.audit.access import log_api_list, log_api_view
from webui.tasks.scan_read import read_scans_ahead
from webui.tasks.uploads import impression_problems
from webui.wiring import product

LANES = ("窓口", "バックヤード")
READ_ANY_LANE = ("auditor", "admin")
RETRY_ROLES = ("admin", "manager")
MAX_PROCESS_ID = 100  # process_definition.process_id


def list_definitions():
    with product().session_factory() as session:
        return jsonify([schemas.definition_json(d) for d in catalog.list_active_definitions(session)])


def deploy_definition():
    """Validate and store a BPMN document as the new active version; 422 names the element and the reason."""
    actor = require_roles("manager", "admin")
    body = json_body()
    string_field(body, "bpmn_xml", max_length=MAX_BUNDLE_BYTES)  # present and a non-empty string
    xml = body["bpmn_xml"]  # unstripped: the version is the hash of the exact text
    forms = read_forms(product().bpmn_dir / "forms") | (object_field(body, "forms") if "forms" in body else {})
    note = body.get("note") if isinstance(body.get("note"), str) else ""
    parsed = parse_definition(xml, forms, product().handlers, source="api")
    with product().session_factory.begin() as session:
        result = catalog.deploy(session, parsed, actor=actor.username, source="api", note=note)
        definition = catalog.get_definition(session, result.definition_id)
        return jsonify(schemas.definition_json(definition) | {"status": result.status}), 201


def start_instance():
    actor = api_actor()
    if not actor.may_start:  # the role first (as the runner would say): a refused role learns nothing of the body
        raise LaneForbidden("この役割では業務を開始できません")
    body = json_body()
    process_id = string_field(body, "process_id", max_length=MAX_PROCESS_ID)
    with product().session_factory() as session:
        juki = product().juki(session)
        data = check_start_data(session, juki, object_field(body, "data"))
        services = product().services  # no accidental cases: only a flow the person can use (StartNotAllowed)
        check_start_allowed(session, juki, process_id, data.get("resident_id"), services.today(),
                            services.settings.min_age)
    outcome = product().runner.start(process_id, actor, data)
    return jsonify(schemas.outcome_json(outcome)), 201


def list_instances():
    status = choice_param("status", InstanceStatus.ALL)
    resident_id = text_param("resident_id")
    page, per_page = page_params()
    with product().session_factory() as session:
        result = queries.recent_instances(session, page=page, per_page=per_page, status=status,
                                          resident_id=resident_id)
        rows = [schemas.instance_row_json(instance, name) for instance, name in result.rows]
        log_api_list(session, api_actor(), [instance.subject_resident_id for instance, _ in result.rows],
                     "事案の一覧（API）")
        session.commit()
    return jsonify(schemas.page_json(result, rows))


def get_instance(instance_id: int):
    with product().session_factory() as session:
        detail = queries.instance_detail(session, product().specs, instance_id)
        answer = schemas.instance_detail_json(detail)
        log_api_view(session, api_actor(), detail.instance.subject_resident_id, "事案の詳細（API）",
                     target=f"instance:{instance_id}")
        session.commit()
        return jsonify(answer)


def list_instance_events(instance_id: int):
    with product().session_factory() as session:
        detail = queries.instance_detail(session, product().specs, instance_id)
        answer = [schemas.event_json(event, summary) for event, summary in detail.events]
        log_api_view(session, api_actor(), detail.instance.subject_resident_id, "事案の記録（API）",
                     target=f"instance:{instance_id}")
        session.commit()
        return jsonify(answer)


def get_inbox():
    actor = api_actor()
    lane = choice_param("lane", LANES) or (actor.lanes[0] if actor.lanes else LANES[0])
    if not actor.may_work(lane) and actor.role not in READ_ANY_LANE:
        raise ApiError(403, "lane_forbidden", f"{lane}の作業一覧はこの役割では見られません")
    mine = bool_param("mine")
    page, per_page = page_params()
    query = queries.InboxQuery(
        process_id=text_param("process_id", max_length=100), spec_name=text_param("step", max_length=100),
        due=choice_param("due", queries.DUE_FILTERS),
        min_age_days=int_param("min_age_days", 0, minimum=0, maximum=3650) or None,
        sort=choice_param("sort", queries.INBOX_SORTS) or "created", descending=choice_param("order", ("asc", "desc")) == "desc")
    with product().session_factory() as session:
        result = queries.inbox(session, lane, page=page, per_page=per_page,
                               claimed_by=actor.username if mine else None, query=query)
        log_api_list(session, actor, subjects_of_instances(session, [r.instance_id for r in result.rows]),
                     "受付箱の一覧（API）")
        session.commit()
        return jsonify(schemas.page_json(result, [schemas.inbox_row_json(r) for r in result.rows]))


def get_task(task_id: int):
    with product().session_factory() as session:
        view = queries.task_form_view(session, product().specs, task_id)
        return jsonify(schemas.task_json(view))


def claim_task(task_id: int):
    actor = api_actor()
    product().runner.claim(task_id, actor)
    return jsonify({"task_id": task_id, "claimed_by": actor.username})


def unclaim_task(task_id: int):
    product().runner.unclaim(task_id, api_actor())
    return jsonify({"task_id": task_id, "claimed_by": None})


def complete_task(task_id: int):
    data = object_field(json_body(), "data")
    actor = api_actor()
    with product().session_factory() as session:
        form = queries.task_form(session, product().specs, task_id)
    if form is not None and (problems := impression_problems(form, data)):
        raise FormInvalid("入力内容に誤りがあります。赤字の項目を確認してください。", problems)
    if form is not None:
        read_scans_ahead(form, data)
    outcome = product().runner.complete(task_id, actor, data)
    return jsonify(schemas.outcome_json(outcome))


def retry_incident(incident_id: int):
    actor = require_roles(*RETRY_ROLES)
    outcome = product().runner.retry(incident_id, actor, on_active_version=bool_param("on_active_version"))
    return jsonify(schemas.outcome_json(outcome))
