"""Documents printed in batches (抹消通知書 after 4.2.1 / 4.2.2, 照会書兼回答書 after 4.1.4.2): queue and render."""

from __future__ import annotations

import json
from datetime import date

import printing
from handlers.base import HandlerError, ServiceContext
from handlers.environment import to_jst
from handlers.operators.residents import find_resident
from handlers.results import Enqueued
from handlers.services.sheets import printing_office
from registry.documents import queue
from registry.documents.models import PrintQueueItem
from registry.seals import records
from registry.seals.models import Application, RecordStatus, Registration
from registry.settings.store import Municipality

__all__ = ["DOCUMENTS", "OPERATORS", "enqueue", "render_item"]

DOCUMENTS = {"deletion_notice": "抹消通知書", "inquiry_letter": "4.1.4.2 照会書兼回答書"}
INQUIRY_KIND = "印鑑登録申請（照会による登録）"


def enqueue(ctx: ServiceContext, document: str, registration_id: int | None = None,
            application_id: int | None = None, inquiry_number: str | None = None,
            answer_deadline: str | None = None, postcode: str | None = None) -> Enqueued:
    """Queue a document for the next batch print; the same unprinted document is queued only once.

    deletion_notice needs a closed ``registration_id``; inquiry_letter needs ``inquiry_number`` and
    ``answer_deadline`` (YYYY-MM-DD) and takes the application of ``application_id`` or of this instance.
    Raises HandlerError (unknown_document, registration_not_closed, application_not_found, …,
    or the printing error's code when a text cannot be printed).
    """
    if document not in DOCUMENTS:
        raise HandlerError(f"一括印刷の帳票 {document} はありません（{'・'.join(DOCUMENTS)}）", code="unknown_document")
    if document == "deletion_notice":
        registration, application = _closed_registration(ctx, registration_id), None
        subject, payload = registration.name, _deletion_payload(ctx, registration, postcode)
    else:
        registration, application = None, _application(ctx, application_id)
        subject, payload = _inquiry_payload(ctx, application, inquiry_number, answer_deadline, postcode)
    ids = {"registration_id": registration.id if registration else None,
           "application_id": application.id if application else None}
    existing = queue.unprinted_item(ctx.session, document, **ids)
    if existing is not None:
        return {"queue_item_id": existing.id, "already_queued": True}
    _check_renders(document, payload, ctx.services.office(ctx.session), ctx.today())
    item = PrintQueueItem(document=document, instance_id=ctx.instance_id, subject_name=subject,
                          payload_json=json.dumps(payload, ensure_ascii=False), queued_by=ctx.actor, **ids)
    ctx.session.add(item)
    ctx.session.flush()
    return {"queue_item_id": item.id, "already_queued": False}


def render_item(item: PrintQueueItem, office: Municipality, issued_on: date) -> bytes:
    """The item's PDF with today's office settings; raise printing.PrintingError."""
    payload = json.loads(item.payload_json)
    return _render(item.document, payload, office, issued_on)


def _render(document: str, payload: dict, office: Municipality, issued_on: date) -> bytes:
    addressee = printing.Addressee(**payload["addressee"])
    if document == "deletion_notice":
        notice = printing.DeletionNotice(registration_number=payload["registration_number"], name=payload["name"],
                                         deleted_on=date.fromisoformat(payload["deleted_on"]),
                                         reason=payload["reason"], addressee=addressee)
        return printing.deletion_notice(notice, printing_office(office), issued_on=issued_on)
    inquiry = printing.Inquiry(inquiry_number=payload["inquiry_number"], application_kind=payload["application_kind"],
                               applied_on=date.fromisoformat(payload["applied_on"]),
                               answer_deadline=date.fromisoformat(payload["answer_deadline"]),
                               applicant_name=payload["applicant_name"], addressee=addressee)
    return printing.inquiry_letter(inquiry, printing_office(office), issued_on=issued_on)


def _check_renders(document: str, payload: dict, office: Municipality, today: date) -> None:
    """Refuse now what the batch could not print later (a 外字 in a name, a bad date)."""
    try:
        _render(document, payload, office, today)
    except printing.PrintingError as exc:
        raise HandlerError(exc.message, code=exc.code) from exc


def _closed_registration(ctx: ServiceContext, registration_id: int | None) -> Registration:
    record = ctx.session.get(Registration, registration_id) if registration_id else None
    if record is None:
        raise HandlerError("抹消通知書の印鑑登録原票が見つかりません", code="record_not_found")
    if record.status == RecordStatus.REGISTERED:
        raise HandlerError("抹消されていない登録の抹消通知書は作成できません", code="registration_not_closed")
    return record


def _deletion_payload(ctx: ServiceContext, record: Registration, postcode: str | None) -> dict:
    resident = find_resident(ctx, record.resident_id)
    address = resident.address if resident else record.address  # where the person lives now
    return {"registration_number": record.registration_number, "name": record.name,
            "deleted_on": (record.closed_on or ctx.today()).isoformat(),
            "reason": record.close_reason or RecordStatus.LABELS[record.status],
            "addressee": {"postcode": postcode or "", "address": address, "name": record.name}}


def _application(ctx: ServiceContext, application_id: int | None) -> Application:
    session = ctx.session
    application = (session.get(Application, application_id) if application_id
                   else queue.application_of_instance(session, ctx.instance_id))
    if application is None or not application.resident_id:
        raise HandlerError("照会書の申請が見つかりません", code="application_not_found")
    return application


def _inquiry_payload(ctx: ServiceContext, application: Application, inquiry_number: str | None,
                     answer_deadline: str | None, postcode: str | None) -> tuple[str, dict]:
    if not inquiry_number:
        raise HandlerError("照会番号がありません", code="missing_inquiry_number")
    try:
        deadline = date.fromisoformat(str(answer_deadline))
    except ValueError:
        raise HandlerError("回答期限は YYYY-MM-DD で指定してください", code="invalid_answer_deadline") from None
    resident = find_resident(ctx, application.resident_id)
    if resident is None:
        raise HandlerError("照会書の宛先（申請者）が住民基本台帳に見つかりません", code="resident_not_found")
    # the letter (and its QR code) carries the number with its random part, which only the letter shows
    printed = records.printed_inquiry_number(application) if application.check_code else str(inquiry_number)
    return resident.name, {
        "inquiry_number": printed, "application_kind": INQUIRY_KIND,
        "applied_on": to_jst(application.created_at).date().isoformat(), "answer_deadline": deadline.isoformat(),
        "applicant_name": resident.name,
        "addressee": {"postcode": postcode or "", "address": resident.address, "name": resident.name}}


OPERATORS = [
    ("inkan.print.enqueue", "4.2.1", "一括印刷の待ち行列へ（抹消通知書・照会書兼回答書）", enqueue),
]
