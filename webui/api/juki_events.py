"""POST /api/v1/juki/events: the resident register announces a change (住民記録連動の異動通知) — linkage by PUSH.

Open only when INKAN_JUKI_LINKAGE includes ``push`` (the standard's principle is pull, see juki.linkage) and the
shared key INKAN_JUKI_EVENT_KEY is set; otherwise 403. The caller is the register's service account (bearer token,
role admin) and signs the raw body with the key: ``X-Juki-Signature: sha256=<hex HMAC-SHA256>``. The simulated
register pushes in-process instead (webui/simulator). The event is stored in the intake before anything else
happens; the worker processes it later (4.2.2 / 4.3.2).
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, jsonify, request

from handlers.linkage.intake import receive
from juki.errors import InvalidQuery
from juki.event_schema import validate_event
from juki.events import ResidentEvent
from webui.api.access import require_roles
from webui.api.params import ApiError, json_document
from webui.api.routes import bp
from webui.wiring import product

SIGNATURE_HEADER = "X-Juki-Signature"
SERVICE_ROLES = ("admin",)


def signature(key: str, body: bytes) -> str:
    """The header value a sender puts on `body`."""
    return "sha256=" + hmac.new(key.encode("utf-8"), body, hashlib.sha256).hexdigest()


@bp.post("/juki/events")
def receive_resident_event():
    """Store one signed resident event; 202 when new, 200 when its event_id was already received."""
    require_roles(*SERVICE_ROLES)
    body = request.get_data(cache=True)
    _check_signature(body)
    event = _parse(json_document(body))
    with product().session_factory.begin() as session:
        accepted = receive(session, event, source="api")
    status = "accepted" if accepted else "duplicate"
    return jsonify({"status": status, "event_id": event.event_id}), 202 if accepted else 200


def _check_signature(body: bytes) -> None:
    if not product().linkage.pushes:
        raise ApiError(403, "juki_events_closed",
                       "住基の異動通知の受付（push）は設定されていません（INKAN_JUKI_LINKAGE に push を含めてください。"
                       "既定は住基の変更一覧の取得（pull）です）")
    key = str(current_app.config["JUKI_EVENT_KEY"] or "")
    if not key:
        raise ApiError(403, "juki_events_closed",
                       "住基の異動通知の受付は設定されていません（INKAN_JUKI_EVENT_KEY を設定してください）")
    given = request.headers.get(SIGNATURE_HEADER, "").strip()
    if not given:
        raise ApiError(401, "signature_missing", f"{SIGNATURE_HEADER} ヘッダ（本文のHMAC-SHA256署名）が必要です")
    expected = signature(key, body)
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise ApiError(403, "signature_invalid", "異動通知の署名が一致しません（共有鍵と本文を確認してください）")


def _parse(data) -> ResidentEvent:
    """The event, checked against its kind's schema before anything is stored; raise ApiError 422."""
    try:
        validate_event(data)
        return ResidentEvent.from_json(data)
    except InvalidQuery as exc:
        raise ApiError(422, "invalid_event", exc.message) from None
