"""事案検索 and one instance: status, diagram with markers, tasks, incidents, the evidence timeline, the history
entries and documents it wrote, and the operators' actions (suspend / resume / terminate / reassign / retry)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engine.actor import Actor
from engine.evidence.search import definition_versions, search_instances
from engine.runtime.operations import OPERATOR_ROLES, AssigneeNotFound, InstanceOperations
from engine.runtime.queries import case_subject, element_names, instance_definition, instance_detail
from engine.runtime.steps import element_lanes, step_data
from handlers.operators.print_queue import DOCUMENTS as QUEUE_DOCUMENTS
from handlers.services.documents import REPRINTABLE
from registry.documents.queries import documents_of_instance, queue_items_of_instance
from registry.seals import records
from registry.staff import accounts
from webui.audit.access import log_list_view, log_person_view, purpose_gate
from webui.auth.users import CLERK_ROLES, current_actor, roles_required
from webui.instances.search_form import InstanceSearchForm
from webui.instances.timeline import DATA_LABELS, timeline
from webui.params import id_param
from webui.tasks.forms import choices_of
from webui.wiring import product

bp = Blueprint("instances", __name__)

PER_PAGE = 50
RETRY_ROLES = ("admin", "manager")


@bp.get("")
@login_required
def index():
    """事案検索: filters, sort, keyset pages (first page fast on a million instances)."""
    form = InstanceSearchForm.from_args(request.args)
    with product().session_factory() as session:
        query = form.query(product().juki(session), per_page=PER_PAGE, after=request.args.get("after"),
                           before=request.args.get("before"))
        page = search_instances(session, query)
        versions = definition_versions(session)
        log_list_view(session, [row.instance.subject_resident_id for row in page.rows], "事案検索の結果", commit=True)
    html = render_template("instances/index.html", page=page, form=form, versions=versions,
                           version_labels=version_labels(versions),
                           flows=sorted({(v[1], v[2]) for v in versions}), status=form.get("status"))
    return html, 400 if form.messages else 200  # unusable criteria: shown with the reason, not silently dropped


@bp.get("/<int:instance_id>")
@login_required
def show(instance_id: int):
    prod = product()
    with prod.session_factory() as session:
        subject = case_subject(session, instance_id)  # whose case it is, to ask why before reading it
    gate = purpose_gate(subject.resident_id, instance_id) if subject else None
    if gate is not None:
        return gate
    with prod.session_factory() as session:
        detail = instance_detail(session, prod.specs, instance_id)
        forms = prod.specs.get(detail.definition).forms
        names, lanes = element_names(detail.definition), element_lanes(detail.definition)
        steps = step_data(detail)
        markers = {"done": detail.completed_ids + detail.taken_flows, "active": detail.active_ids,
                   "failed": detail.error_ids}
        history = records.history_of_instance(session, instance_id)
        documents, queued = documents_of_instance(session, instance_id), queue_items_of_instance(session, instance_id)
        log_person_view(session, detail.instance.subject_resident_id, "事案の詳細",
                        target=f"instance:{instance_id}", instance_id=instance_id, commit=True)
        return render_template("instances/show.html", detail=detail, markers=markers, names=names,
                               rows=timeline(detail, forms, prod.handlers, names, lanes, steps),
                               history=history, documents=documents, reprintable=REPRINTABLE, queued=queued,
                               queue_labels=QUEUE_DOCUMENTS, field_labels=field_labels(forms),
                               version_label=version_labels(definition_versions(session)).get(
                                   detail.definition.content_hash[:12], ""),
                               may_retry=current_user.role in RETRY_ROLES,
                               may_operate=current_user.role in OPERATOR_ROLES,
                               show_traceback=current_user.role == "admin",  # raw error text: operators only
                               may_cancel=current_user.role in CLERK_ROLES
                               and detail.instance.status in ("running", "waiting"))


def version_labels(versions: list[tuple[int, str, str, str]]) -> dict[str, str]:
    """A version's hash → 「第3版」, numbered per flow in deployment order (people do not read hashes)."""
    by_process: dict[str, list[str]] = {}
    for _id, process_id, _name, version in versions:  # newest first within each flow
        by_process.setdefault(process_id, []).append(version)
    return {version: f"第{len(found) - n}版" for found in by_process.values() for n, version in enumerate(found)}


def field_labels(forms: dict[str, dict]) -> dict:
    """Task-data keys → the titles the flow's forms give them (「申請者の区分」 for applicant), and "key=" → the
    titles of a choice field's values (「本人」 for self), for the timeline's data."""
    labels: dict = {}
    for form in forms.values():
        for key, prop in ((form or {}).get("schema") or {}).get("properties", {}).items():
            if not isinstance(prop, dict):
                continue
            if prop.get("title"):
                labels.setdefault(key, str(prop["title"]))
            if choices := {c.value: c.title for c in choices_of(prop)}:
                labels.setdefault(f"{key}=", choices)
    return DATA_LABELS | labels


@bp.get("/<int:instance_id>/diagram.bpmn")
@login_required
def diagram(instance_id: int):
    """The BPMN XML of the definition version this instance runs."""
    with product().session_factory() as session:
        xml = instance_definition(session, instance_id).bpmn_xml
    return Response(xml, mimetype="application/xml", headers={"Cache-Control": "private, max-age=3600"})


@bp.post("/<int:instance_id>/cancel")
@roles_required(*CLERK_ROLES)
def cancel(instance_id: int):
    """A clerk cancels an instance started by mistake: a reason is required and audited; the registry side refuses
    once the instance has changed a record (then 4.5 異動の取消し is the way back)."""
    product().runner.cancel(instance_id, current_actor(), request.form.get("reason", ""))
    flash(f"事案 {instance_id} を取り消しました", "success")
    return redirect(url_for("instances.show", instance_id=instance_id))


@bp.post("/incidents/<int:incident_id>/retry")
@roles_required(*RETRY_ROLES)
def retry(incident_id: int):
    outcome = product().runner.retry(incident_id, current_actor(),
                                     on_active_version=request.form.get("on_active_version") == "1")
    if outcome.incident_id:
        flash("再実行しましたが、再びエラーになりました", "error")
    else:
        flash(f"障害 #{incident_id} を再実行しました", "success")
    return redirect(url_for("instances.show", instance_id=outcome.instance_id))


@bp.post("/<int:instance_id>/suspend")
@roles_required(*OPERATOR_ROLES)
def suspend(instance_id: int):
    """Hold an active instance (system administrators only; a reason is required and audited)."""
    return _operate(instance_id, "suspend", "一時停止しました")


@bp.post("/<int:instance_id>/resume")
@roles_required(*OPERATOR_ROLES)
def resume(instance_id: int):
    return _operate(instance_id, "resume", "再開しました")


@bp.post("/<int:instance_id>/terminate")
@roles_required(*OPERATOR_ROLES)
def terminate(instance_id: int):
    return _operate(instance_id, "terminate", "強制終了しました")


def _operate(instance_id: int, operation: str, done: str):
    operations = InstanceOperations(product().runner)
    getattr(operations, operation)(instance_id, current_actor(), request.form.get("reason", ""))
    flash(f"事案 {instance_id} を{done}", "success")
    return redirect(url_for("instances.show", instance_id=instance_id))


@bp.post("/tasks/<int:task_id>/reassign")
@roles_required(*OPERATOR_ROLES)
def reassign(task_id: int):
    """Give an open task to another clerk of its lane (system administrators only; audited)."""
    to = _staff_actor(request.form.get("to", ""))
    InstanceOperations(product().runner).reassign(task_id, current_actor(), to,
                                                           request.form.get("reason", ""))
    flash(f"作業 #{task_id} の担当を {to.display_name or to.username} さんに変更しました", "success")
    instance_id = id_param("instance_id", request.form)
    return redirect(url_for("instances.show", instance_id=instance_id) if instance_id else url_for("inbox.index"))


def _staff_actor(username: str) -> Actor:
    with product().session_factory() as session:
        user = accounts.find_user(session, username.strip()[:100]) if username.strip() else None
    if user is None or not user.is_active:
        raise AssigneeNotFound("担当者が見つかりません（利用者名を確認してください）")
    return Actor(user.username, user.role, user.display_name)
