"""Printed documents of the seal registry: plain records and bytes in, PDF bytes out (reportlab)."""

from printing.confirmation import confirmation_sheet
from printing.documents import HistoryLine, Impression, Office, RegistrationRecord
from printing.errors import PrintingError, UnprintableCharacterError
from printing.fonts import FontSet, check_printable, default_fonts
from printing.wareki import era_year, to_wareki

__all__ = [
    "FontSet",
    "HistoryLine",
    "Impression",
    "Office",
    "PrintingError",
    "RegistrationRecord",
    "UnprintableCharacterError",
    "check_printable",
    "confirmation_sheet",
    "default_fonts",
    "era_year",
    "to_wareki",
]
