"""事案一覧 and one instance: status, diagram with markers, human tasks, incidents (with retry) and audit timeline."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engine.models import InstanceStatus
from engine.queries import element_names, instance_definition, instance_detail, recent_instances
from webui.auth.users import current_actor, roles_required
from webui.instances.timeline import timeline
from webui.wiring import product

bp = Blueprint("instances", __name__)

PER_PAGE = 50
RETRY_ROLES = ("admin", "manager")


@bp.get("")
@login_required
def index():
    status = request.args.get("status") or None
    if status is not None and status not in InstanceStatus.ALL:
        abort(404)
    page_no = max(1, request.args.get("page", 1, type=int))
    with product().session_factory() as session:
        page = recent_instances(session, page=page_no, per_page=PER_PAGE, status=status)
    return render_template("instances/index.html", page=page, status=status)


@bp.get("/<int:instance_id>")
@login_required
def show(instance_id: int):
    prod = product()
    with prod.session_factory() as session:
        detail = instance_detail(session, prod.specs, instance_id)
        forms = prod.specs.get(detail.definition).forms
        names = element_names(detail.definition)
        markers = {"done": detail.completed_ids + detail.taken_flows, "active": detail.active_ids, "failed": detail.error_ids}
        return render_template("instances/show.html", detail=detail, markers=markers, names=names,
                               rows=timeline(detail, forms, prod.handlers, names),
                               may_retry=current_user.role in RETRY_ROLES)


@bp.get("/<int:instance_id>/diagram.bpmn")
@login_required
def diagram(instance_id: int):
    """The BPMN XML of the definition version this instance runs."""
    with product().session_factory() as session:
        xml = instance_definition(session, instance_id).bpmn_xml
    return Response(xml, mimetype="application/xml", headers={"Cache-Control": "private, max-age=3600"})


@bp.post("/incidents/<int:incident_id>/retry")
@roles_required(*RETRY_ROLES)
def retry(incident_id: int):
    outcome = product().runner.retry(incident_id, current_actor())
    if outcome.incident_id:
        flash("再実行しましたが、再びエラーになりました", "error")
    else:
        flash(f"障害 #{incident_id} を再実行しました", "success")
    return redirect(url_for("instances.show", instance_id=outcome.instance_id))
