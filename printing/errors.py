"""Errors raised by the printing package.

PrintingError                 (code: font_missing, date_out_of_range, invalid_impression, impression_too_large, …)
└── UnprintableCharacterError (code: unprintable_character)
"""

from __future__ import annotations

import unicodedata


class PrintingError(Exception):
    """A document cannot be printed; ``code`` is stable snake_case, ``message`` is Japanese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class UnprintableCharacterError(PrintingError):
    """A text field holds a character the embedded font has no glyph for (外字)."""

    def __init__(self, char: str, field: str) -> None:
        self.char = char
        self.field = field
        shown = char if char.isprintable() or unicodedata.category(char) == "Co" else ""
        super().__init__(
            "unprintable_character",
            f"{field} に印字できない文字「{shown}」(U+{ord(char):04X}) が含まれています。外字登録が必要です",
        )
