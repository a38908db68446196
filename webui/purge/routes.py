"""/admin/purge: the 除票 past their retention period, listed first (dry run), purged as one logged batch."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from registry.blobs.store import get_blob
from registry.errors import PurgeRefused
from registry.retention.models import PurgeBatch
from registry.retention.purge import recent_batches, retention_cutoff
from webui.audit.access import SEVERAL, log_person_view, purpose_gate
from webui.auth.users import current_actor, roles_required
from webui.purge.service import run_purge
from webui.wiring import product

bp = Blueprint("purge", __name__)

ADMIN_ROLES = ("admin",)


@bp.get("")
@roles_required(*ADMIN_ROLES)
def index():
    if (gate := purpose_gate(SEVERAL)) is not None:  # the list names people's closed records: asked once for all
        return gate
    day, error = _day(request.args.get("before")) if request.args.get("before") else (_default_day(), None)
    return _page(day, error)


@bp.post("")
@roles_required(*ADMIN_ROLES)
def run():
    if (gate := purpose_gate(SEVERAL)) is not None:
        return gate
    day, error = _day(request.form.get("before"))
    if error is None and request.form.get("confirm") != "1":
        error = "消去一覧を確認し、「一覧の除票を消去することを確認しました」にチェックしてください"
    if error is not None:
        return _page(day, error), 422
    try:
        outcome = run_purge(product(), day, current_actor())
    except PurgeRefused as exc:
        return _page(day, exc.message), 422
    flash(f"除票 {len(outcome.lines)} 件を消去しました（消去番号 {outcome.batch_id}、異動履歴 {outcome.history_rows} 行を"
          f"墓標に置換、ファイル {outcome.blobs} 件を削除）。消去一覧をダウンロードして保管してください", "success")
    return redirect(url_for("purge.index", before=day.isoformat()))


@bp.get("/<int:batch_id>/list.csv")
@roles_required(*ADMIN_ROLES)
def purge_list(batch_id: int):
    with product().session_factory() as session:
        batch = session.get(PurgeBatch, batch_id)
        if batch is None or not batch.list_blob:
            abort(404)
        data = get_blob(session, batch.list_blob).data
    return Response(data, mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=inkan_purge_{batch_id}.csv"})


def _default_day() -> date:
    services = product().services
    return retention_cutoff(services.today(), services.settings.retention_years) + timedelta(days=1)


def _day(text: str | None) -> tuple[date | None, str | None]:
    try:
        return date.fromisoformat((text or "").strip()), None
    except ValueError:
        return None, "日付を YYYY-MM-DD の形式で入力してください"


def _page(day: date | None, error: str | None):
    preview = None
    if day is not None and error is None:
        try:
            preview = run_purge(product(), day, current_actor(), dry_run=True)
        except PurgeRefused as exc:
            error = exc.message
    with product().session_factory() as session:
        if preview is not None:
            for resident_id, line in zip(preview.resident_ids, preview.lines, strict=True):
                log_person_view(session, resident_id, "除票の消去（対象の一覧）", line.registration_number,
                                among_several=True)
        batches = recent_batches(session)
        session.commit()
    services = product().services
    return render_template("purge/index.html", day=day or _default_day(), error=error, preview=preview,
                           batches=batches, years=services.settings.retention_years,
                           cutoff=retention_cutoff(services.today(), services.settings.retention_years))
