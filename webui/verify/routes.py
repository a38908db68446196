"""/verify (public, no login): is this 印鑑登録証明書 genuine, whose, issued when, and is the registration active?"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from handlers.services.certificates import CertificateCheck, verify_certificate
from webui.errors import wants_json
from webui.wiring import product

bp = Blueprint("verify", __name__)


@bp.get("")
def check():
    """The form; with ?p=<payload> (what the QR code holds) the answer. JSON when asked for it."""
    text = request.args.get("p")
    with product().session_factory() as session:
        office = product().services.office(session)
        result = verify_certificate(session, product().services, text) if text is not None else None
    if wants_json():
        return jsonify(check_json(result)) if result else (
            jsonify({"error": "missing_payload", "message": "p にQRコードの内容を指定してください"}), 400)
    return render_template("verify/check.html", result=result, text=text or "", office=office)


def check_json(result: CertificateCheck) -> dict:
    return {"genuine": result.genuine, "reason": result.reason, "message": result.message, "serial": result.serial,
            "name": result.name, "issued_at": result.issued_at.isoformat() if result.issued_at else None,
            "still_active": result.still_active, "status": result.status_label}
