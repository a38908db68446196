"""Library pages: the list of processes and versions, a diff, roll back, migration, export and import."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from engine.library import catalog, drafts
from engine.library import overview as library
from engine.library.bundle import import_bundle, read_bundle
from engine.library.definitions import element_names
from engine.library.migration import TIMER_CHOICES, migrate_instances, plan_migration
from engine.library.version_diff import diff_versions
from webui.auth.users import current_actor, roles_required
from webui.library.actions import (
    EDIT_ROLES,
    READ_ROLES,
    TYPE_LABELS,
    BadDraftInput,
    export_document,
    open_draft_of,
    version_pair,
)
from webui.library.editor import bp as editor_bp
from webui.params import id_param
from webui.wiring import product

bp = Blueprint("library", __name__)
bp.register_blueprint(editor_bp, url_prefix="/drafts")


@bp.app_template_filter("definition_source")
def definition_source(source: str | None) -> str:
    """Where a version came from, in words (stored as draft:<id>, a file name under bpmn/, api …)."""
    source = source or ""
    if source.startswith("draft:"):
        return f"下書き {source.removeprefix('draft:')} から反映"
    if source.endswith(".bpmn"):
        return "同梱の定義"
    return {"api": "APIで登録", "test": "テストで登録", "draft": "下書き", "active": "有効な版"}.get(source, "")


@bp.get("/")
@roles_required(*READ_ROLES)
def index():
    with product().session_factory() as session:
        entries = library.library(session)
    return render_template("library/index.html", entries=entries)


@bp.get("/processes/<process_id>")
@roles_required(*READ_ROLES)
def process(process_id: str):
    with product().session_factory() as session:
        entry = library.library_entry(session, process_id)
    if entry is None:
        abort(404)
    return render_template("library/process.html", entry=entry)


@bp.get("/processes/<process_id>/diff")
@roles_required(*READ_ROLES)
def diff(process_id: str):
    with product().session_factory() as session:
        old, new = _version_pair(session, process_id)
        result = diff_versions(old.bpmn_xml, json.loads(old.forms_json), new.bpmn_xml, json.loads(new.forms_json),
                               old_label=f"版 {old.content_hash[:12]}", new_label=f"版 {new.content_hash[:12]}")
    return render_template("library/diff.html", process_id=process_id, old=old, new=new, diff=result,
                           type_labels=TYPE_LABELS)


@bp.route("/processes/<process_id>/migrate", methods=["GET", "POST"])
@roles_required(*READ_ROLES)
def migrate(process_id: str):
    prod = product()
    if request.method == "POST":
        if current_actor().role not in EDIT_ROLES:
            abort(403)
        timers = request.form.get("timers", "follow")
        if timers not in TIMER_CHOICES:
            raise BadDraftInput("タイマーの扱いを選んでください")
        with prod.session_factory.begin() as session:
            old, new = _version_pair(session, process_id)
            rows = migrate_instances(session, prod.specs, old, new, current_actor(), timers=timers)
        moved = sum(1 for r in rows if r.can_move)
        flash(f"{moved} 件の事案を版 {new.content_hash[:12]} へ移行しました（移行できない事案 {len(rows) - moved} 件）",
              "success" if moved else "info")
        return redirect(url_for("library.migrate", process_id=process_id, **{"from": old.id, "to": new.id}))
    with prod.session_factory() as session:
        old, new = _version_pair(session, process_id)
        rows = plan_migration(session, prod.specs, old, new)
    return render_template("library/migrate.html", process_id=process_id, old=old, new=new, rows=rows,
                           names=element_names(old.bpmn_xml))


def _version_pair(session, process_id: str):
    return version_pair(session, process_id, id_param("from"), id_param("to"))


@bp.post("/versions/<int:definition_id>/draft")
@roles_required(*EDIT_ROLES)
def new_draft(definition_id: int):
    draft_id = open_draft_of(definition_id, current_actor())
    return redirect(url_for("library.editor.show", draft_id=draft_id))


@bp.post("/versions/<int:definition_id>/activate")
@roles_required(*EDIT_ROLES)
def activate(definition_id: int):
    with product().session_factory.begin() as session:
        definition = catalog.get_definition(session, definition_id)
        drafts.activate_version(session, definition, current_actor())
    flash(f"版 {definition.content_hash[:12]} を新しい事案に使う版にしました（進行中の事案はそのまま）", "success")
    return redirect(url_for("library.process", process_id=definition.process_id))


@bp.get("/versions/<int:definition_id>/diagram.bpmn")
@roles_required(*READ_ROLES)
def version_xml(definition_id: int):
    with product().session_factory() as session:
        xml = catalog.get_definition(session, definition_id).bpmn_xml
    return Response(xml, mimetype="application/xml")


@bp.get("/versions/<int:definition_id>/export")
@roles_required(*READ_ROLES)
def export(definition_id: int):
    document = export_document(definition_id)
    name = f"{document['process_id']}-{document['version'][:12]}.inkan.json"
    return Response(json.dumps(document, ensure_ascii=False, indent=1), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/import")
@roles_required(*EDIT_ROLES)
def import_file():
    upload = request.files.get("bundle")
    if upload is None or not upload.filename:
        raise BadDraftInput("読み込む定義ファイルを選んでください")
    bundle = read_bundle(upload.read())
    prod = product()
    with prod.session_factory.begin() as session:
        base = next((d for d in catalog.list_active_definitions(session) if d.process_id == bundle.process_id), None)
        draft, problems = import_bundle(session, bundle, current_actor(), prod.handlers, base)
    if problems:
        flash(f"読み込みました。問題が {len(problems)} 件あります。修正してから反映してください", "error")
    else:
        flash("読み込みました。テストを実行してから反映してください", "success")
    return redirect(url_for("library.editor.show", draft_id=draft.id))

