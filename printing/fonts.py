"""Embedded TrueType fonts (IPAex) for the printed documents, and the glyph check that guards them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError

from printing.errors import PrintingError, UnprintableCharacterError
from printing.subsets import SubsetCachingTTFont

DEFAULT_MINCHO = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"
DEFAULT_GOTHIC = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"

# Line breaks are layout, not glyphs: multi-line fields (contact lines) are split before drawing.
_LAYOUT_CHARS = frozenset("\n\r")


@dataclass(frozen=True)
class FontSet:
    """Paths of the Mincho (body) and Gothic (headings) TrueType fonts."""

    mincho_path: str
    gothic_path: str


@dataclass(frozen=True)
class FontNames:
    """Names under which a FontSet's fonts are registered with reportlab."""

    mincho: str
    gothic: str


def default_fonts() -> FontSet:
    """Return the IPAex Mincho / Gothic font set; raises PrintingError('font_missing') if a file is absent."""
    fonts = FontSet(mincho_path=DEFAULT_MINCHO, gothic_path=DEFAULT_GOTHIC)
    for path in (fonts.mincho_path, fonts.gothic_path):
        _require_file(path)
    return fonts


def register_fonts(fonts: FontSet) -> FontNames:
    """Register both fonts with reportlab (once per path) and return their names; raises PrintingError."""
    return FontNames(
        mincho=_load_font(fonts.mincho_path).fontName, gothic=_load_font(fonts.gothic_path).fontName
    )


def check_printable(text: str, field: str, fonts: FontSet) -> None:
    """Check that both fonts have a glyph for every character of ``text``.

    Raises UnprintableCharacterError naming the first missing character and ``field``;
    PrintingError if a font cannot be loaded.
    """
    mincho = _font_cmap(fonts.mincho_path)
    gothic = _font_cmap(fonts.gothic_path)
    for char in text:
        if char in _LAYOUT_CHARS:
            continue
        code = ord(char)
        if code not in mincho or code not in gothic:
            raise UnprintableCharacterError(char, field)


def _require_file(path: str) -> None:
    """Raise PrintingError('font_missing') naming ``path`` when it is not a readable file."""
    if not os.path.isfile(path):
        raise PrintingError("font_missing", f"フォントファイルが見つかりません: {path}")


@lru_cache(maxsize=16)
def _load_font(path: str) -> SubsetCachingTTFont:
    """Parse and register a TrueType font under a name derived from its path; raises PrintingError."""
    _require_file(path)
    digest = hashlib.sha1(path.encode("utf-8")).hexdigest()[:8]
    name = f"Inkan-{os.path.splitext(os.path.basename(path))[0]}-{digest}"
    try:
        font = SubsetCachingTTFont(name, path)
    except TTFError as exc:
        raise PrintingError("font_invalid", f"フォントファイルを読み込めません: {path}（{exc}）") from exc
    pdfmetrics.registerFont(font)
    return font


@lru_cache(maxsize=16)
def _font_cmap(path: str) -> frozenset[int]:
    """Return the code points the font at ``path`` maps to a glyph; raises PrintingError."""
    cmap = _load_font(path).face.charToGlyph
    return frozenset(code for code, glyph in cmap.items() if glyph)


def fonts_for(texts: Iterable[tuple[str, str]], fonts: FontSet | None = None) -> tuple[FontSet, FontNames]:
    """Check every (field, text) before anything is drawn, then register the fonts.

    Raises UnprintableCharacterError naming the character and field; PrintingError for a missing font.
    """
    fonts = fonts or default_fonts()
    for field, text in texts:
        check_printable(text, field, fonts)
    return fonts, register_fonts(fonts)
