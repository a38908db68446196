"""The draft editor: the modeler page and its JSON calls (save, test, record a case, preview a form, deploy)."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from engine.errors import DefinitionError
from engine.library import drafts
from webui.auth.users import current_actor, roles_required
from webui.library import actions
from webui.library.actions import EDIT_ROLES, READ_ROLES, BadDraftInput
from webui.tasks.forms import field_views
from webui.tasks.uploads import file_field
from webui.wiring import product

bp = Blueprint("editor", __name__)


@bp.get("/<int:draft_id>")
@roles_required(*READ_ROLES)
def show(draft_id: int):
    prod = product()
    with prod.session_factory() as session:
        draft = drafts.get_draft(session, draft_id)
    handlers = [{"operator_id": h.operator_id, "function_id": h.function_id, "title": h.title,
                 "parameters": [{"name": p.name, "required": p.required, "schema": p.schema} for p in h.parameters]}
                for h in prod.handlers.all()]
    return render_template("library/editor.html", draft=draft, handlers=handlers,
                           may_edit=current_actor().role in EDIT_ROLES and draft.status == "open")


@bp.get("/<int:draft_id>/draft.json")
@roles_required(*READ_ROLES)
def data(draft_id: int):
    with product().session_factory() as session:
        return jsonify(actions.draft_json(drafts.get_draft(session, draft_id)))


@bp.post("/<int:draft_id>/save")
@roles_required(*EDIT_ROLES)
def save(draft_id: int):
    problems = actions.save_body(draft_id, current_actor(), _json_body())
    return jsonify({"problems": problems})


@bp.post("/<int:draft_id>/test")
@roles_required(*EDIT_ROLES)
def test(draft_id: int):
    return jsonify(actions.report_json(actions.test_draft(draft_id)))


@bp.post("/<int:draft_id>/record")
@roles_required(*EDIT_ROLES)
def record(draft_id: int):
    body = _json_body()
    case, replay = actions.record_step(draft_id, body.get("case"), body.get("pending"))
    return jsonify({"case": case, "replay": actions.replay_json(replay)})


@bp.get("/<int:draft_id>/changes")
@roles_required(*READ_ROLES)
def changes(draft_id: int):
    """What deploying the saved draft would change (the modeler asks before it deploys)."""
    return jsonify(actions.draft_changes(draft_id))


@bp.post("/<int:draft_id>/deploy")
@roles_required(*EDIT_ROLES)
def deploy(draft_id: int):
    result, report = actions.deploy_tested(draft_id, current_actor(), bool(_json_body().get("confirm_uncovered")))
    flash(f"版 {result.content_hash[:12]} を反映しました。新しい事案はこの版で始まります", "success")
    return jsonify({"definition_id": result.definition_id, "version": result.content_hash,
                    "status": result.status, "report": actions.report_json(report),
                    "next": url_for("library.process", process_id=result.process_id)})


@bp.post("/<int:draft_id>/discard")
@roles_required(*EDIT_ROLES)
def discard(draft_id: int):
    with product().session_factory.begin() as session:
        draft = drafts.get_draft(session, draft_id)
        drafts.discard_draft(session, draft, current_actor())
    flash(f"下書き {draft_id} を破棄しました", "info")
    return redirect(url_for("library.process", process_id=draft.process_id))


@bp.post("/form-preview")
@roles_required(*EDIT_ROLES)
def form_preview():
    """The form as the clerk will see it, drawn by the task page's own field renderer."""
    body = _json_body()
    name, document = body.get("name") or "form.json", body.get("document")
    try:
        actions.check_form(name, document)
    except DefinitionError as exc:
        return jsonify({"error": exc.code, "message": exc.message}), 422
    return render_template("library/_form_preview.html", document=document,
                           fields=field_views(document, {}, {}), file_field=file_field)


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadDraftInput("リクエスト本文はJSONオブジェクトで送ってください")
    return body
