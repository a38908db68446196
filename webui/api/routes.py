"""The JSON API blueprint (/api/v1): URL rules and bearer-token authentication (errors: webui/errors.py)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from webui.api import audit, definitions, printing, records, workflow
from webui.api.access import authenticate
from webui.api.openapi import openapi_document

bp = Blueprint("api", __name__)
bp.before_request(authenticate)

RULES = (
    ("/definitions", "GET", workflow.list_definitions),
    ("/definitions", "POST", workflow.deploy_definition),
    # the model library (issue 7)
    ("/definitions/<process_id>/versions", "GET", definitions.list_versions),
    ("/definitions/<process_id>/diff", "GET", definitions.diff),
    ("/definitions/<process_id>/migration", "GET", definitions.migration_plan),
    ("/definitions/<process_id>/migration", "POST", definitions.migrate),
    ("/definitions/versions/<int:definition_id>/drafts", "POST", definitions.open_draft),
    ("/definitions/versions/<int:definition_id>/activate", "POST", definitions.activate),
    ("/definitions/versions/<int:definition_id>/export", "GET", definitions.export),
    ("/definitions/import", "POST", definitions.import_definition),
    ("/definitions/drafts/<int:draft_id>", "GET", definitions.get_draft),
    ("/definitions/drafts/<int:draft_id>", "PUT", definitions.save_draft),
    ("/definitions/drafts/<int:draft_id>/test", "POST", definitions.test_draft),
    ("/definitions/drafts/<int:draft_id>/deploy", "POST", definitions.deploy_draft),
    ("/instances", "GET", workflow.list_instances),
    ("/instances", "POST", workflow.start_instance),
    ("/instances/<int:instance_id>", "GET", workflow.get_instance),
    ("/instances/<int:instance_id>/events", "GET", workflow.list_instance_events),
    ("/inbox", "GET", workflow.get_inbox),
    ("/tasks/<int:task_id>", "GET", workflow.get_task),
    ("/tasks/<int:task_id>/claim", "POST", workflow.claim_task),
    ("/tasks/<int:task_id>/unclaim", "POST", workflow.unclaim_task),
    ("/tasks/<int:task_id>/complete", "POST", workflow.complete_task),
    ("/incidents/<int:incident_id>/retry", "POST", workflow.retry_incident),
    ("/blobs", "POST", records.upload_blob),
    ("/blobs/<sha256>", "GET", records.download_blob),
    ("/residents", "GET", records.search_residents),
    ("/residents/<resident_id>", "GET", records.get_resident),
    ("/registrations/<number>", "GET", records.get_registration),
    ("/print/mailed", "POST", printing.mark_letters_mailed),  # 4.1.4.2 照会書兼回答書の郵送（issue 18.2）
    # auditors and operators (issue 8)
    ("/instances/search", "GET", audit.instance_search),
    ("/instances/<int:instance_id>/timeline", "GET", audit.instance_timeline),
    ("/instances/<int:instance_id>/suspend", "POST", audit.suspend_instance),
    ("/instances/<int:instance_id>/resume", "POST", audit.resume_instance),
    ("/instances/<int:instance_id>/terminate", "POST", audit.terminate_instance),
    ("/tasks/<int:task_id>/reassign", "POST", audit.reassign_task),
    ("/audit/access-log", "GET", audit.access_log),
    ("/audit/chains", "GET", audit.audit_chains),
    ("/audit/reports", "GET", audit.audit_reports),
)

for _rule, _method, _view in RULES:
    bp.add_url_rule(_rule, view_func=_view, methods=[_method])


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
