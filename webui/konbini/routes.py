"""POST /api/v1/konbini/certificates: a kiosk's certificate request relayed by the J-LIS 証明書交付センター.

Authentication: ``Authorization: Bearer <INKAN_KONBINI_KEY>``, one shared key held by the 交付センター (it is
not a staff account: the centre may do nothing else). An empty key (the default) closes the API. Answers: 200 with
the certificate PDF, 422 with ``{error, message, request_id}`` for a refusal, 400 for a malformed body, 401 for a
wrong key, 503 when the API is closed. Every request and answer is logged (konbini_request).
"""

from __future__ import annotations

import hmac

from flask import Blueprint, current_app, jsonify, request

from handlers.services import konbini
from webui.wiring import product

bp = Blueprint("konbini", __name__)


@bp.post("/certificates")
def request_certificate():
    key = str(current_app.config.get("KONBINI_KEY") or "")
    if not key:
        return _error(503, "konbini_disabled", "コンビニ交付は設定されていません（INKAN_KONBINI_KEY）")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), key.encode()):
        return _error(401, "unauthorized", "証明書交付センターの認証キーが正しくありません")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ("cert_serial", "kind")):
        return _error(400, "bad_request", "cert_serial と kind を文字列で送ってください")
    terminal = body.get("terminal") if isinstance(body.get("terminal"), str) else None
    question = konbini.KonbiniQuestion(body["cert_serial"], body["kind"], channel="api", terminal=terminal)
    answer = konbini.serve(product().session_factory, product().services, question, service_hours())
    if not answer.issued:
        return _error(422, answer.code, answer.message, request_id=answer.request_id)
    response = current_app.response_class(answer.pdf, mimetype="application/pdf")
    response.headers["X-Konbini-Request-Id"] = answer.request_id
    response.headers["X-Certificate-Serial"] = answer.certificate_serial or ""
    return response


def service_hours() -> konbini.ServiceHours:
    """The configured コンビニ交付 hours (checked at start-up by webui.config)."""
    config = current_app.config
    return konbini.ServiceHours.parse(config["KONBINI_HOURS"], config["KONBINI_CLOSED_DAYS"])


def _error(status: int, code: str, message: str, **extra):
    response = jsonify({"error": code, "message": message, **extra})
    response.status_code = status
    return response
