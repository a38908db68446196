"""/print: the print queue (抹消通知書, 照会書兼回答書), batch jobs with a progress bar, cancel, and the mailing of
printed 照会書兼回答書 (4.1.4.6 accepts an answer only for a letter marked mailed)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for

from engine.evidence.access_log import subjects_of_instances
from handlers.base import HandlerError
from handlers.operators.print_queue import DOCUMENTS
from handlers.services.batch import JOB_STATUS_LABELS, progress_of, request_cancel, start_batch
from handlers.services.mailing import mark_mailed
from registry.documents import queue
from webui.audit.access import log_list_view
from webui.auth.users import CLERK_ROLES, current_actor, roles_required
from webui.printjobs.background import run_in_background
from webui.wiring import product

bp = Blueprint("printjobs", __name__)

VIEW_ROLES = (*CLERK_ROLES, "auditor")


@bp.get("")
@roles_required(*VIEW_ROLES)
def index():
    document = request.args.get("document") or None
    if document is not None and document not in DOCUMENTS:
        abort(404)
    with product().session_factory() as session:  # read, close, then render (templates may open sessions)
        items, counts = queue.queued_items(session, document), queue.queued_counts(session)
        jobs, letters = queue.recent_jobs(session), queue.unmailed_letters(session)
        log_list_view(session, subjects_of_instances(session, [i.instance_id for i in items + letters if i.instance_id]),
                      "一括印刷の待ち一覧", commit=True)
    return render_template("printjobs/index.html", documents=DOCUMENTS, document=document, items=items,
                           counts=counts, jobs=jobs, status_labels=JOB_STATUS_LABELS, letters=letters,
                           today=product().services.today())


@bp.post("/mailed")
@roles_required(*CLERK_ROLES)
def mailed():
    """Record the mailing date of the printed 照会書兼回答書 ticked (audited per letter)."""
    ids = parse_ids(request.form.getlist("item_id"))
    with product().session_factory.begin() as session:
        marked = mark_mailed(session, product().services, ids, mailed_on=form_date(request.form.get("mailed_on")),
                             actor=current_actor())
    flash(f"照会書兼回答書 {len(marked)} 通を郵送済みにしました", "success")
    return redirect(url_for("printjobs.index"))


def parse_ids(values: list[str]) -> list[int]:
    """Queue item ids from a form or a JSON body; raise HandlerError invalid_item_id."""
    try:
        return [int(value) for value in values]
    except (TypeError, ValueError):
        raise HandlerError("帳票の番号が正しくありません", code="invalid_item_id") from None


def form_date(value: str | None) -> date | None:
    """An optional YYYY-MM-DD; raise HandlerError invalid_date."""
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        raise HandlerError("日付は YYYY-MM-DD の形式で指定してください", code="invalid_date") from None


@bp.post("/batches")
@roles_required(*CLERK_ROLES)
def start():
    """Claim the queued documents into a job and print them in the background."""
    document = request.form.get("document", "")
    try:
        queued_on = date.fromisoformat(request.form["queued_on"]) if request.form.get("queued_on") else None
    except ValueError:
        raise HandlerError("日付は YYYY-MM-DD の形式で指定してください", code="invalid_date") from None
    with product().session_factory.begin() as session:
        job_id = start_batch(session, document, queued_on=queued_on, actor=current_actor())
    run_in_background(product(), job_id, current_actor())
    return redirect(url_for("printjobs.show", job_id=job_id))


@bp.get("/batches/<int:job_id>")
@roles_required(*VIEW_ROLES)
def show(job_id: int):
    with product().session_factory() as session:
        job = progress_of(session, job_id)
    return render_template("printjobs/show.html", job=job, documents=DOCUMENTS)


@bp.get("/batches/<int:job_id>/status")
@roles_required(*VIEW_ROLES)
def status(job_id: int):
    """JSON the progress bar polls: {status, done, total, failed, finished, message, pdf_url}."""
    with product().session_factory() as session:
        job = progress_of(session, job_id)
    pdf_url = url_for("documents.pdf", source="batch", item_id=job.job_id) if job.blob_sha256 else None
    return jsonify(asdict(job) | {"finished": job.finished, "pdf_url": pdf_url})


@bp.post("/batches/<int:job_id>/cancel")
@roles_required(*CLERK_ROLES)
def cancel(job_id: int):
    with product().session_factory.begin() as session:
        asked = request_cancel(session, job_id)
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"cancel_requested": asked})
    flash("取り消しを指示しました。作成中の帳票の後で止まります" if asked else "このジョブは既に終了しています",
          "info" if asked else "warning")
    return redirect(url_for("printjobs.show", job_id=job_id))
