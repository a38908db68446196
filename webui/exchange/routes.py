"""/admin/exchange: 移行データの取込 — check a set (dry run) or import it as a background job with progress and ETA.

The sets are directories the operator copied to the server under `<instance>/exchange/` (a browser upload of
100,000 images is not the way); the page offers those that hold a registrations.csv, so no other path on the
server can be named. The job is the `exchange_run` row: any process shows its progress or asks it to stop.
"""

from __future__ import annotations

import csv
import io
import logging
import threading
from datetime import datetime
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from engine.actor import Actor
from registry.blobs.store import get_blob
from registry.exchange import layout as L
from registry.exchange.models import ExchangeRun, RunStatus
from webui.audit.access import SEVERAL, purpose_gate
from webui.auth.users import current_actor, roles_required
from webui.exchange.service import create_run, run_import
from webui.wiring import Product, product

bp = Blueprint("exchange", __name__)
log = logging.getLogger("inkan.exchange")

ADMIN_ROLES = ("admin",)
PHASE_LABELS = {"check": "検証", "import": "取込", "finish": "完了"}
SHOWN_PROBLEMS = 500


def exchange_root() -> Path:
    return Path(current_app.instance_path) / "exchange"


def available_sets() -> list[str]:
    root = exchange_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / L.REGISTRATIONS).is_file())


@bp.get("")
@roles_required(*ADMIN_ROLES)
def index():
    if (gate := purpose_gate(SEVERAL)) is not None:
        return gate
    return _index()


def _index(error: str | None = None):
    with product().session_factory() as session:
        runs = list(session.scalars(select(ExchangeRun).order_by(ExchangeRun.id.desc()).limit(30)))
    return render_template("exchange/index.html", sets=available_sets(), root=exchange_root(), runs=runs,
                           labels=RunStatus.LABELS, error=error)


@bp.post("")
@roles_required(*ADMIN_ROLES)
def start():
    if (gate := purpose_gate(SEVERAL)) is not None:
        return gate
    name = request.form.get("set", "")
    if name not in available_sets():
        return _index("取り込む一式を選んでください（サーバーの instance/exchange/ に置いた一式から）"), 422
    dry_run = request.form.get("mode") != "import"
    directory, actor = exchange_root() / name, current_actor()
    run_id, _, finished = create_run(product(), directory, actor, dry_run=dry_run)
    if finished:
        flash(f"この一式は取り込み済みです（取込番号 {run_id}）。何も変更していません", "info")
        return redirect(url_for("exchange.show", run_id=run_id))
    run_in_background(product(), run_id, directory, actor, dry_run)
    return redirect(url_for("exchange.show", run_id=run_id))


def run_in_background(product: Product, run_id: int, directory: Path, actor: Actor, dry_run: bool) -> None:
    def work() -> None:
        try:
            run_import(product, directory, actor, dry_run=dry_run, run_id=run_id)
        except Exception:  # noqa: BLE001 — the run row says 中断; the same files resume it
            log.exception("exchange run %s failed", run_id)

    threading.Thread(target=work, name=f"inkan-exchange-{run_id}", daemon=True).start()


@bp.get("/<int:run_id>")
@roles_required(*ADMIN_ROLES)
def show(run_id: int):
    if (gate := purpose_gate(SEVERAL)) is not None:
        return gate
    with product().session_factory() as session:
        run = session.get(ExchangeRun, run_id) or abort(404)
        problems = _problems(session, run)
    return render_template("exchange/show.html", run=run, status=status_of(run), problems=problems,
                           shown=SHOWN_PROBLEMS)


def _problems(session, run: ExchangeRun) -> list[list[str]]:
    if not run.report_blob:
        return []
    text = get_blob(session, run.report_blob).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))[1:]
    return rows[: SHOWN_PROBLEMS]


def status_of(run: ExchangeRun) -> dict:
    """The progress the page polls: phase, done of total, an ETA from the phase's rate so far."""
    finished = run.status != RunStatus.RUNNING
    imported = run.phase == "import" or (run.phase == "finish" and run.status == RunStatus.DONE and not run.dry_run)
    done = run.done if imported else run.checked  # a check (or a refused / dry run) counts the rows it checked
    eta = None
    if not finished and run.total and 0 < done < run.total:
        elapsed = (run.updated_at - run.phase_started_at).total_seconds()
        since = done - (run.checked if run.phase == "import" else 0)  # import: `checked` holds where it resumed
        if elapsed > 0 and since > 0:
            eta = round(elapsed / since * (run.total - done))
    return {"id": run.id, "status": run.status, "status_label": RunStatus.LABELS.get(run.status, run.status),
            "phase": run.phase, "phase_label": PHASE_LABELS.get(run.phase, run.phase), "done": done,
            "total": run.total, "eta_seconds": eta, "eta_label": _eta_label(eta), "errors": run.errors,
            "warnings": run.warnings, "message": run.message or "", "finished": finished, "dry_run": run.dry_run,
            "report_url": url_for("exchange.report", run_id=run.id) if run.report_blob else None}


def _eta_label(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return f"残り約 {seconds // 60}分{seconds % 60:02d}秒"


@bp.get("/<int:run_id>/status")
@roles_required(*ADMIN_ROLES)
def status(run_id: int):
    with product().session_factory() as session:
        run = session.get(ExchangeRun, run_id) or abort(404)
        return jsonify(status_of(run))


@bp.post("/<int:run_id>/cancel")
@roles_required(*ADMIN_ROLES)
def cancel(run_id: int):
    with product().session_factory.begin() as session:
        run = session.get(ExchangeRun, run_id) or abort(404)
        asked = run.status == RunStatus.RUNNING
        run.cancel_requested = asked or run.cancel_requested
    flash("中止を指示しました。書き込み中のまとまりの後で止まります（同じ一式で再実行すると続きから）" if asked
          else "この取込は既に終わっています", "info" if asked else "warning")
    return redirect(url_for("exchange.show", run_id=run_id))


@bp.get("/<int:run_id>/report.csv")
@roles_required(*ADMIN_ROLES)
def report(run_id: int):
    with product().session_factory() as session:
        run = session.get(ExchangeRun, run_id)
        if run is None or not run.report_blob:
            abort(404)
        data = get_blob(session, run.report_blob).data
    stamp = datetime.now().strftime("%Y%m%d")
    return Response(data, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=inkan_import_report_{run_id}_{stamp}.csv"})
