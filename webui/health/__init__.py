"""Health checks for load balancers and orchestrators, without login: /healthz (the process answers) and
/readyz (the database answers and its schema is at the newest migration; 503 with Retry-After otherwise).

/readyz also says whether the 住基 linkage is current (``linkage.ok``) — for monitoring only: a lagging register
does not make a web process unready, and the details (lag, errors) stay on the signed-in 連動 page."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from webui.schema import schema_revisions
from webui.wiring import product

bp = Blueprint("health", __name__)

RETRY_AFTER_SECONDS = 10


@bp.get("/healthz")
def alive():
    """The web process is up (nothing else is asked)."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def ready():
    """Ready to serve: the database is reachable and migrated to the head revision."""
    try:
        with product().session_factory() as session:
            current, heads = schema_revisions(session.connection())
            linkage_ok = product().linkage_status(session)["ok"] if set(current) == set(heads) else None
    except SQLAlchemyError as exc:  # the cause goes to the log, not to an unauthenticated caller
        current_app.logger.warning("readyz: %s", str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200])
        return _not_ready("database_unavailable", "データベースに接続できません")
    if set(current) != set(heads):
        return _not_ready("migrations_pending", "データベースが最新のスキーマではありません（inkan init で移行してください）",
                          current=sorted(current), head=sorted(heads))
    return jsonify({"status": "ready", "database": "ok", "revision": sorted(heads), "linkage": {"ok": linkage_ok}})


def _not_ready(code: str, message: str, **details):
    response = jsonify({"status": "not_ready", "error": code, "message": message, **details})
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
