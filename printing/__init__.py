"""Printed documents of the seal registry: plain records and bytes in, PDF/A-2b bytes out (reportlab)."""

from printing.card import CARD_SIZE, registration_card
from printing.certificate import ATTESTATION, certificate, certificates_batch
from printing.closed import closed_record_sheet
from printing.combine import combined_document
from printing.confirmation import confirmation_sheet
from printing.deletion import deletion_notice
from printing.documents import (
    Addressee,
    CertificateRequest,
    Closure,
    DeletionNotice,
    HistoryLine,
    Impression,
    Inquiry,
    Office,
    RegistrationRecord,
)
from printing.errors import PrintingError, UnprintableCharacterError
from printing.fonts import FontSet, check_printable, default_fonts
from printing.inquiry import inquiry_letter
from printing.payload import certificate_payload, verify_certificate_payload
from printing.seal import demo_office_seal_png
from printing.wareki import era_year, to_wareki

__all__ = [
    "ATTESTATION",
    "CARD_SIZE",
    "Addressee",
    "CertificateRequest",
    "Closure",
    "DeletionNotice",
    "FontSet",
    "HistoryLine",
    "Impression",
    "Inquiry",
    "Office",
    "PrintingError",
    "RegistrationRecord",
    "UnprintableCharacterError",
    "certificate",
    "certificate_payload",
    "certificates_batch",
    "check_printable",
    "closed_record_sheet",
    "combined_document",
    "confirmation_sheet",
    "default_fonts",
    "deletion_notice",
    "demo_office_seal_png",
    "era_year",
    "inquiry_letter",
    "registration_card",
    "to_wareki",
    "verify_certificate_payload",
]
