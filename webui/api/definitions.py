"""API views of the model library: versions, diff, drafts (save, test, deploy), roll back, migration, export/import.

Managers change definitions; auditors and admins read. Every write goes through the same engine functions as the
library pages, so validation, the test gate and the audit trail are the same.
"""

from __future__ import annotations

import json

from flask import jsonify, request

from engine.library import catalog, drafts
from engine.library import overview as library
from engine.library.bundle import import_bundle, read_bundle
from engine.library.migration import TIMER_CHOICES, MigrationCandidate, migrate_instances, plan_migration
from engine.library.version_diff import diff_versions
from webui.api.access import require_roles
from webui.api.params import ApiError, json_body, require_json_content
from webui.api.schemas import iso
from webui.converters import MAX_ID
from webui.library import actions
from webui.params import id_param
from webui.wiring import product

EDIT = actions.EDIT_ROLES
READ = actions.READ_ROLES


def list_versions(process_id: str):
    require_roles(*READ)
    with product().session_factory() as session:
        entry = library.library_entry(session, process_id)
    if entry is None:
        raise ApiError(404, "definition_not_found", f"業務フロー「{process_id}」は登録されていません")
    return jsonify({"process_id": entry.process_id, "name": entry.name,
                    "versions": [_version_json(v) for v in entry.versions],
                    "drafts": [{"id": d.id, "note": d.note, "updated_by": d.updated_by,
                                "updated_at": iso(d.updated_at), "problems": len(d.problems)}
                               for d in entry.drafts]})


def _version_json(row: library.VersionRow) -> dict:
    d = row.definition
    return {"id": d.id, "version": d.content_hash, "is_active": d.is_active, "created_by": d.created_by,
            "created_at": iso(d.created_at), "note": d.note, "source": d.source,
            "open_instances": row.open_instances, "all_instances": row.all_instances}


def diff(process_id: str):
    require_roles(*READ)
    with product().session_factory() as session:
        old, new = actions.version_pair(session, process_id, id_param("from"), id_param("to"))
        result = diff_versions(old.bpmn_xml, json.loads(old.forms_json), new.bpmn_xml, json.loads(new.forms_json))
    changes = [{"element_id": c.element_id, "name": c.name, "type": c.type, "change": c.change,
                "details": c.details} for c in result.elements + result.forms]
    return jsonify({"from": old.id, "to": new.id, "xml_diff": result.xml_diff, "changes": changes})


def open_draft(definition_id: int):
    actor = require_roles(*EDIT)
    draft_id = actions.open_draft_of(definition_id, actor)
    return get_draft(draft_id), 201


def get_draft(draft_id: int):
    require_roles(*READ)
    with product().session_factory() as session:
        return jsonify(actions.draft_json(drafts.get_draft(session, draft_id)))


def save_draft(draft_id: int):
    actor = require_roles(*EDIT)
    return jsonify({"problems": actions.save_body(draft_id, actor, json_body())})


def test_draft(draft_id: int):
    require_roles(*EDIT)
    return jsonify(actions.report_json(actions.test_draft(draft_id)))


def deploy_draft(draft_id: int):
    actor = require_roles(*EDIT)
    confirm = json_body().get("confirm_uncovered") is True
    result, report = actions.deploy_tested(draft_id, actor, confirm)
    return jsonify({"definition_id": result.definition_id, "version": result.content_hash, "status": result.status,
                    "report": actions.report_json(report)}), 201


def activate(definition_id: int):
    actor = require_roles(*EDIT)
    with product().session_factory.begin() as session:
        definition = catalog.get_definition(session, definition_id)
        drafts.activate_version(session, definition, actor)
        return jsonify({"process_id": definition.process_id, "active": definition.id,
                        "version": definition.content_hash})


def migration_plan(process_id: str):
    require_roles(*READ)
    prod = product()
    with prod.session_factory() as session:
        old, new = actions.version_pair(session, process_id, id_param("from"), id_param("to"))
        rows = plan_migration(session, prod.specs, old, new)
    return jsonify({"from": old.id, "to": new.id, "instances": [_candidate_json(r) for r in rows]})


def migrate(process_id: str):
    actor = require_roles(*EDIT)
    body = json_body()
    ids = body.get("instance_ids")
    if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, int) for i in ids)):
        raise ApiError(422, "invalid_body", "instance_ids は事案IDの配列で指定してください")
    timers = body.get("timers", "follow")
    if timers not in TIMER_CHOICES:
        raise ApiError(422, "invalid_body", "timers は follow（新しい版のタイマー定義で期限を計算し直す）か keep（いまの期限のまま）で指定してください")
    prod = product()
    with prod.session_factory.begin() as session:
        old, new = actions.version_pair(session, process_id, _int_field(body, "from"), _int_field(body, "to"))
        rows = migrate_instances(session, prod.specs, old, new, actor, ids, timers=timers)
    return jsonify({"from": old.id, "to": new.id, "moved": [r.instance_id for r in rows if r.can_move],
                    "instances": [_candidate_json(r) for r in rows]})


def _candidate_json(row: MigrationCandidate) -> dict:
    return {"instance_id": row.instance_id, "subject_name": row.subject_name, "status": row.status,
            "current_tasks": row.current_tasks, "can_move": row.can_move, "reasons": row.reasons,
            "timer_changes": [{"element_id": t.element_id, "name": t.name, "old_due": actions.utc_iso(t.old_due),
                               "new_due": actions.utc_iso(t.new_due) if t.new_due else None, "problem": t.problem}
                              for t in row.timer_changes]}


def export(definition_id: int):
    require_roles(*READ)
    return jsonify(actions.export_document(definition_id))


def import_definition():
    actor = require_roles(*EDIT)
    require_json_content()
    bundle = read_bundle(request.get_data(cache=True))
    prod = product()
    with prod.session_factory.begin() as session:
        base = next((d for d in catalog.list_active_definitions(session) if d.process_id == bundle.process_id), None)
        draft, problems = import_bundle(session, bundle, actor, prod.handlers, base)
        return jsonify({"draft_id": draft.id, "process_id": draft.process_id, "problems": problems}), 201


def _int_field(body: dict, name: str) -> int | None:
    value = body.get(name)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_ID):
        raise ApiError(422, "invalid_body", f"{name} は版のID（整数）で指定してください")
    return value
