"""Printed documents in the browser: preview, download, print, 再発行, 6.1 certificates and batch printing."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from handlers.base import HandlerError
from handlers.services.certificates import CHANNELS, certificate_row, issue_certificate
from handlers.services.documents import REPRINTABLE, print_for_registration, reprint_document
from registry.seals import records
from registry.seals.models import IssuedDocument
from webui.audit.access import log_person_view
from webui.auth.users import CLERK_ROLES, current_actor, roles_required
from webui.documents.access import document_gate, open_document
from webui.documents.blobs import DOCUMENT_READERS
from webui.documents.files import pdf_response
from webui.wiring import product

bp = Blueprint("documents", __name__)

VIEW_ROLES = DOCUMENT_READERS
SOURCES = ("document", "certificate", "batch", "queue")


@bp.get("/<int:document_id>")
@roles_required(*VIEW_ROLES)
def show(document_id: int):
    """Preview page: the PDF in the browser's viewer, with download, print and 再発行."""
    if (gate := document_gate("document", document_id)) is not None:
        return gate
    return _preview_page(document_id, error=None)


@bp.get("/<source>/<int:item_id>.pdf")
@roles_required(*VIEW_ROLES)
def pdf(source: str, item_id: int):
    """The PDF itself: inline (preview / print), or as an attachment with ?download=1."""
    if source not in SOURCES:
        abort(404)
    if (gate := document_gate(source, item_id)) is not None:
        return gate
    download = request.args.get("download") == "1"
    document = open_document(source, item_id, purpose="download" if download else "preview")
    return pdf_response(document, download=download)


@bp.post("/<int:document_id>/reprint")
@roles_required(*CLERK_ROLES)
def reprint(document_id: int):
    """再発行: the record as it stands, marked 再発行, with the reason the clerk gives."""
    try:
        with product().session_factory.begin() as session:
            new = reprint_document(session, product().services, document_id, actor=current_actor(),
                                   reason=request.form.get("reason"))
            new_id, kind = new.id, new.kind
    except HandlerError as exc:
        return _preview_page(document_id, error=exc.message), 422
    flash(f"{kind}を再発行しました", "success")
    return redirect(url_for("documents.show", document_id=new_id))


@bp.post("/registrations/<int:registration_id>/print")
@roles_required(*CLERK_ROLES)
def print_new(registration_id: int):
    """Print a document of the record (first print, or 再発行 with a reason when printed before)."""
    with product().session_factory.begin() as session:
        document = print_for_registration(session, product().services, registration_id, request.form.get("kind", ""),
                                          actor=current_actor(), reason=request.form.get("reason"))
        document_id, kind = document.id, document.kind
    flash(f"{kind}を出力しました", "success")
    return redirect(url_for("documents.show", document_id=document_id))


@bp.post("/registrations/<int:registration_id>/certificate")
@roles_required(*CLERK_ROLES)
def certificate(registration_id: int):
    """6.1 印鑑登録証明書 at the counter (the BPMN flow of 6.1 comes later)."""
    with product().session_factory.begin() as session:
        issued = issue_certificate(session, product().services, registration_id, channel="counter",
                                   actor=current_actor())
    flash(f"印鑑登録証明書（証明書番号 {issued.serial}）を発行しました", "success")
    return redirect(url_for("documents.certificate_page", certificate_id=issued.certificate_id))


@bp.get("/certificates/<int:certificate_id>")
@roles_required(*VIEW_ROLES)
def certificate_page(certificate_id: int):
    if (gate := document_gate("certificate", certificate_id)) is not None:
        return gate
    with product().session_factory() as session:
        row = certificate_row(session, certificate_id)
        record = records.get_registration(session, row.registration_id)
        log_person_view(session, record.resident_id, "6.1 印鑑登録証明書", target=f"certificate:{certificate_id}",
                        commit=True)
    return render_template("documents/certificate.html", certificate=row, record=record, channels=CHANNELS)


def _preview_page(document_id: int, *, error: str | None):
    with product().session_factory() as session:
        document = session.get(IssuedDocument, document_id)
        if document is None:
            abort(404)
        record = records.get_registration(session, document.registration_id)
        log_person_view(session, record.resident_id, "帳票の表示", target=f"document:{document_id}",
                        instance_id=document.instance_id, commit=True)
    return render_template("documents/show.html", document=document, record=record, error=error,
                           reason=request.form.get("reason", ""), reprintable=REPRINTABLE)
