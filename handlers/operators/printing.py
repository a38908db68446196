"""4.1.2.2 印鑑登録原票確認票出力: the record, its history and the impression at true size, as a PDF blob."""

from __future__ import annotations

from handlers.base import HandlerError, ServiceContext
from handlers.environment import Operator
from handlers.results import PrintedSheet
from handlers.services.documents import CLOSED_SHEET, CONFIRMATION_SHEET, issue_document
from handlers.services.history_labels import change_summary
from handlers.services.sheets import history_line, printing_record, render_record_sheet
from registry.seals import records
from registry.seals.models import RecordStatus

__all__ = ["OPERATORS", "change_summary", "closed_record_sheet", "confirmation_sheet", "history_line", "printing_record"]


def confirmation_sheet(ctx: ServiceContext, registration_id: int, reprint_reason: str | None = None) -> PrintedSheet:
    """4.1.2.2: render the 原票確認票 and keep it as a blob; raise printing.UnprintableCharacterError."""
    record = records.get_registration(ctx.session, registration_id)
    pdf = render_record_sheet(ctx.session, ctx.services, record, issued_at=ctx.now(), reprint_reason=reprint_reason)
    filename = f"genpyo_kakunin_{record.registration_number}.pdf"
    document = issue_document(ctx.session, ctx.services, Operator(ctx.actor), record, kind=CONFIRMATION_SHEET,
                              pdf=pdf, filename=filename, instance_id=ctx.instance_id, reprint_reason=reprint_reason)
    ctx.printed.append({"document": CONFIRMATION_SHEET, "blob": document.blob_sha256, "filename": filename,
                        "reprint_reason": reprint_reason})
    return {"document_blob_id": document.blob_sha256, "filename": filename}


def closed_record_sheet(ctx: ServiceContext, registration_id: int) -> PrintedSheet:
    """4.4.1.3: render the 原票（除票）確認票 of a closed record; raise HandlerError record_not_closed."""
    record = records.get_registration(ctx.session, registration_id)
    if record.status == RecordStatus.REGISTERED:
        raise HandlerError("この原票は抹消・廃止されていないため除票確認票は出力できません", code="record_not_closed")
    pdf = render_record_sheet(ctx.session, ctx.services, record, issued_at=ctx.now())
    filename = f"jyohyo_kakunin_{record.registration_number}.pdf"
    document = issue_document(ctx.session, ctx.services, Operator(ctx.actor), record, kind=CLOSED_SHEET, pdf=pdf,
                              filename=filename, instance_id=ctx.instance_id)
    ctx.printed.append({"document": CLOSED_SHEET, "blob": document.blob_sha256, "filename": filename})
    return {"document_blob_id": document.blob_sha256, "filename": filename}


OPERATORS = [
    ("inkan.print.confirmation_sheet", "4.1.2.2", "印鑑登録原票確認票出力", confirmation_sheet),
    ("inkan.print.closed_record_sheet", "4.4.1.3", "印鑑登録原票（除票）確認票出力", closed_record_sheet),
]
