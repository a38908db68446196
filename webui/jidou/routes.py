"""自動交付機 (issue 16.7): POST /api/v1/kiosk/certificates, and the simulated machine at /jidou (admin).

Authentication of the API: ``Authorization: Bearer <INKAN_KIOSK_KEY>``, one key held by the office's machines (not
a staff account: a machine may do nothing else). An empty key (the default) closes the API. Answers: 200 with the
certificate PDF, 422 with ``{error, message, request_id}`` for a refusal (``attempts_left`` after a wrong PIN),
400 for a malformed body, 401 for a wrong key, 415 for a body that is not JSON, 503 when the API is closed. Every
request and answer is logged (jidou_request); the PIN never is. Contract: docs/jidou_kofuki/openapi.yaml.
"""

from __future__ import annotations

import hmac
import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from handlers.base import HandlerError
from handlers.services import jidou_kofuki
from handlers.services.documents import document_for_viewing, issued_by_blob
from registry.jidou.queries import locked_cards, recent_requests, request_by_id
from webui.audit.access import SEVERAL, log_person_view, purpose_gate
from webui.auth.users import current_actor, roles_required
from webui.documents.files import pdf_response
from webui.wiring import product

api_bp = Blueprint("jidou_api", __name__)
bp = Blueprint("jidou", __name__)

ADMIN = "admin"
UNLOCK_ROLES = ("madoguchi", "manager", "admin")
PIN = re.compile(r"[0-9]{4}")
MAX_CARD_CHARS = 40
PRINTOUTS = "jidou_printouts"  # session key: the request ids the simulated machine of this session was answered


@api_bp.post("/certificates")
def request_certificate():
    key = str(current_app.config.get("KIOSK_KEY") or "")
    if not key:
        return _error(503, "kiosk_disabled", "自動交付機の受付は設定されていません（INKAN_KIOSK_KEY）")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), key.encode()):
        return _error(401, "unauthorized", "自動交付機の認証キーが正しくありません")
    if not request.is_json:
        return _error(415, "unsupported_media_type", "application/json で card_number と pin を送ってください")
    body = request.get_json(silent=True)
    problem = _body_problem(body)
    if problem:
        return _error(400, "bad_request", problem)
    terminal = body.get("terminal") if isinstance(body.get("terminal"), str) else None
    question = jidou_kofuki.JidouQuestion(body["card_number"], body["pin"], channel="api", terminal=terminal)
    answer = jidou_kofuki.serve(product().session_factory, product().services, question)
    if not answer.issued:
        extra = {"attempts_left": answer.attempts_left} if answer.attempts_left is not None else {}
        return _error(422, answer.code, answer.message, request_id=answer.request_id, **extra)
    response = current_app.response_class(answer.pdf, mimetype="application/pdf")
    response.headers["X-Kiosk-Request-Id"] = answer.request_id
    response.headers["X-Certificate-Serial"] = answer.certificate_serial or ""
    return response


def _body_problem(body) -> str | None:
    """The Japanese reason a body is malformed, or None."""
    if not isinstance(body, dict) or not isinstance(body.get("card_number"), str) \
            or not isinstance(body.get("pin"), str):
        return "card_number と pin を文字列で送ってください"
    if not body["card_number"].strip() or len(body["card_number"]) > MAX_CARD_CHARS:
        return f"card_number は1〜{MAX_CARD_CHARS}文字で送ってください"
    if not PIN.fullmatch(body["pin"]):
        return "pin は数字4桁で送ってください"
    if "terminal" in body and (not isinstance(body["terminal"], str) or len(body["terminal"]) > 100):
        return "terminal は100文字以内の文字列で送ってください"
    return None


def _error(status: int, code: str, message: str, **extra):
    response = jsonify({"error": code, "message": message, **extra})
    response.status_code = status
    return response


@bp.get("/jidou")
@roles_required(ADMIN)
def machine_page():
    return _machine_page(None)


@bp.post("/jidou")
@roles_required(ADMIN)
def machine_request():
    """The simulated machine: the same checks and log as POST /api/v1/kiosk/certificates (channel simulator)."""
    card_number, entered = request.form.get("card_number", ""), request.form.get("pin", "")
    problem = _body_problem({"card_number": card_number, "pin": entered})
    if problem:
        return _machine_page(None, problem=problem, status=400)
    question = jidou_kofuki.JidouQuestion(card_number, entered, channel="simulator", terminal="シミュレータ（庁舎1階）")
    answer = jidou_kofuki.serve(product().session_factory, product().services, question)
    if answer.issued:  # this session may open what its machine printed, and nothing else
        session[PRINTOUTS] = [*session.get(PRINTOUTS, [])[-4:], answer.request_id]
    return _machine_page(answer, status=200 if answer.issued else 422)


@bp.get("/jidou/<request_id>.pdf")
@roles_required(ADMIN)
def machine_certificate(request_id: str):
    """The certificate the simulated machine printed: only for this session's requests, logged as a view."""
    if request_id not in session.get(PRINTOUTS, []):
        abort(404)
    with product().session_factory.begin() as db:
        row = request_by_id(db, request_id)
        issued = issued_by_blob(db, row.document_sha) if row is not None and row.document_sha else None
        if row is None or row.channel != "simulator" or issued is None:
            abort(404)
        document = document_for_viewing(db, *issued, actor=current_actor(), purpose="preview")
        log_person_view(db, document.resident_id, "自動交付機（シミュレータ）の証明書", target=f"{issued[0]}:{issued[1]}")
    return pdf_response(document, download=False)


@bp.post("/jidou/unlock/<int:registration_id>")
@roles_required(*UNLOCK_ROLES)
def unlock(registration_id: int):
    """A clerk's or admin's release of a card locked at the machine (the resident was identified at the counter)."""
    try:
        with product().session_factory.begin() as db:
            jidou_kofuki.unlock(db, product().services, registration_id, current_actor(),
                                request.form.get("reason", ""))
    except HandlerError as exc:
        flash(exc.message, "error")
        return redirect(request.referrer or url_for("jidou.locked_page")), 303
    flash("暗証番号のロックを解除しました", "success")
    return redirect(url_for("jidou.locked_page")), 303


@bp.get("/jidou/locked")
@roles_required(*UNLOCK_ROLES)
def locked_page():
    """Cards locked at the machine; the list names people's registrations, so each view is logged."""
    if (gate := purpose_gate(SEVERAL)) is not None:
        return gate
    with product().session_factory.begin() as db:
        locked = locked_cards(db)
        for record, _ in locked:
            log_person_view(db, record.resident_id, "自動交付機: 暗証番号のロック", target=record.registration_number,
                            among_several=True)
        rows = [{"registration_id": record.id, "registration_number": record.registration_number,
                 "card_number": record.card_number, "failures": row.failures, "locked_at": row.locked_at}
                for record, row in locked]
    return render_template("jidou/locked.html", locked=rows)


def _machine_page(answer, *, problem: str | None = None, status: int = 200):
    with product().session_factory() as db:
        log = recent_requests(db, 20)
        return render_template("jidou/machine.html", answer=answer, problem=problem, log=log,
                               refusals=jidou_kofuki.REFUSALS, form=request.form), status
