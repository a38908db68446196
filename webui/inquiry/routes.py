"""4.1.4.6 回答登録 at the counter: find the application by its 照会番号 (typed, or read from the QR code by a
scanner that types it), go to its answer task; the case page; cancelling an instance started by mistake."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from engine.errors import FormInvalid
from registry.seals.models import Application
from webui.audit.access import log_list_view, log_person_view, purpose_gate
from webui.auth.users import CLERK_ROLES, current_actor, roles_required
from webui.inquiry.view import answer_task_of, find_case, load_case, pending_cases
from webui.wiring import product

bp = Blueprint("inquiry", __name__)

NOT_FOUND = "照会番号 {number} の申請は見つかりません。番号（検査数字を含む）を確かめてください"


@bp.get("")
@login_required
def index():
    """The search field (the QR scanner types into it and presses Enter) and the applications awaiting answers."""
    number = (request.args.get("number") or "").strip()[:40]
    with product().session_factory() as session:
        if number:
            case = find_case(session, number)
            if case is not None:
                task = answer_task_of(case)
                if task is not None and current_actor().may_work(task.lane):
                    return redirect(url_for("tasks.show", task_id=task.id))
                return redirect(url_for("inquiry.show", application_id=case.application.id))
        pending = pending_cases(session)
        log_list_view(session, [instance.subject_resident_id for _, _, instance in pending if instance],
                      "4.1.4 回答待ちの一覧", commit=True)
    status = 404 if number else 200
    message = NOT_FOUND.format(number=number) if number else None
    return render_template("inquiry/index.html", number=number, message=message, pending=pending), status


@bp.get("/<int:application_id>")
@login_required
def show(application_id: int):
    with product().session_factory() as session:
        application = session.get(Application, application_id)
        if application is None or application.kind != "4.1.4":
            abort(404)
        case = load_case(session, application)
        gate = purpose_gate(case.instance.subject_resident_id, case.instance.id)  # ask why before showing the person
        if gate is not None:
            return gate
        log_person_view(session, case.instance.subject_resident_id, "4.1.4 照会の事案",
                        target=f"application:{application_id}", instance_id=case.instance.id, commit=True)
    return _render_case(case)


@bp.post("/<int:application_id>/cancel")
@roles_required(*CLERK_ROLES)
def cancel(application_id: int):
    """Cancel the instance of an application started by mistake (a reason is required, and audited)."""
    with product().session_factory() as session:
        application = session.get(Application, application_id)
        if application is None or application.kind != "4.1.4":
            abort(404)
        instance_id = application.instance_id
    try:
        product().runner.cancel(instance_id, current_actor(), request.form.get("reason", ""))
    except FormInvalid as exc:
        with product().session_factory() as session:
            case = load_case(session, session.get(Application, application_id))
            log_person_view(session, case.instance.subject_resident_id, "4.1.4 照会の事案",
                            target=f"application:{application_id}", instance_id=case.instance.id, commit=True)
        return _render_case(case, exc.message), 422
    flash(f"事案 {instance_id} を取り消しました", "success")
    return redirect(url_for("inquiry.show", application_id=application_id))


def _render_case(case, error: str | None = None):
    # Rendered after the session closed: SQLite allows one writer, and page-wide context processors open their own.
    return render_template("inquiry/show.html", case=case, answer_task=answer_task_of(case), error=error,
                           may_cancel=current_actor().may_start and case.instance.status in ("running", "waiting"))
