"""TrueType fonts whose fixed-text subsets are built once per process and then reused by every document.

reportlab embeds a TrueType font as subsets of up to 256 characters, built at save time: it copies the glyphs,
compresses the font program and the ToUnicode map and formats the widths, for every document again. Most of
a certificate is fixed text, so a document first *reserves* its fixed characters: they take the first
subsets in a fixed order, and record-specific characters start a subset of their own. The reserved subsets
are then byte-identical from document to document, and their objects are cached here, already compressed.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFObject,
    PDFStream,
    PDFTrueTypeFont,
)
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFont, makeToUnicodeCMap
from reportlab.pdfgen.canvas import Canvas

from printing.xobjects import flate

_CACHE_SIZE = 32  # distinct reserved subsets kept per font (a few documents × a few offices)


@dataclass(frozen=True)
class _SubsetParts:
    """The document-independent pieces of one embedded subset (streams already Flate-compressed)."""

    base_font: str
    widths: bytes
    to_unicode: bytes
    font_program: bytes
    program_length: int


class _Formatted(PDFObject):
    """A PDF value written as pre-formatted bytes (skips reportlab's per-number formatting)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: object) -> bytes:
        return self.data


class SubsetCachingTTFont(TTFont):
    """A TTFont that can reserve fixed text in its first subsets and reuses those subsets' PDF objects."""

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self._parts: dict[tuple[int, tuple[int, ...]], _SubsetParts] = {}

    def reserve(self, doc: object, text: str) -> None:
        """Give ``text``'s characters the next codes in order, then close the subset (call before drawing)."""
        state = self._assignState(doc)
        self.splitString(text, doc)
        # The next new character opens a fresh subset (splitString starts one at every multiple of 256).
        state.nextCode = (state.nextCode + 255) & ~0xFF
        state.reserved = len(state.subsets)

    def addObjects(self, doc: object) -> None:  # reportlab API name
        """Add the Font, FontDescriptor, font program and ToUnicode objects of every subset used in ``doc``."""
        state = self._assignState(doc)
        state.frozen = 1
        reserved = getattr(state, "reserved", 0)
        fonts = doc.idToObject["BasicFonts"].dict  # type: ignore[attr-defined]
        for index, subset in enumerate(state.subsets):
            key = (index, tuple(subset))
            parts = self._parts.get(key) if index < reserved else None
            if parts is None:
                parts = self._build_parts(index, key[1])
                if index < reserved:
                    self._remember(key, parts)
            internal_name = self.getSubsetInternalName(index, doc)[1:]
            fonts[internal_name] = self._font_object(doc, internal_name, len(subset), parts)
        del self.state[doc]

    def _remember(self, key: tuple[int, tuple[int, ...]], parts: _SubsetParts) -> None:
        if len(self._parts) >= _CACHE_SIZE:
            del self._parts[next(iter(self._parts))]
        self._parts[key] = parts

    def _build_parts(self, index: int, subset: tuple[int, ...]) -> _SubsetParts:
        """Subset the font program and format the widths and ToUnicode map, as reportlab does."""
        face = self.face
        base_font = b"".join((SUBSETN(index), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
        widths = PDFArray([face.getCharWidth(code) for code in subset]).format(None)
        program = face.makeSubset(list(subset))
        cmap = makeToUnicodeCMap(base_font, subset).encode("latin-1")
        return _SubsetParts(base_font, widths, zlib.compress(cmap), zlib.compress(program), len(program))

    def _font_object(self, doc: object, internal_name: str, count: int, parts: _SubsetParts) -> PDFObject:
        """Register the subset's objects with ``doc``; return its Font dictionary (already referenced)."""
        face = self.face
        program = PDFStream(
            PDFDictionary({"Length1": parts.program_length, "Filter": flate()}), parts.font_program
        )
        descriptor = PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": face.ascent,
                "CapHeight": face.capHeight,
                "Descent": face.descent,
                "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                "FontBBox": PDFArray(face.bbox),
                "FontName": PDFName(parts.base_font),
                "ItalicAngle": face.italicAngle,
                "StemV": face.stemV,
                "FontFile2": doc.Reference(program, f"fontFile:{face.filename}({parts.base_font})"),  # type: ignore[attr-defined]
                "MissingWidth": face.defaultWidth,
            }
        )
        font = PDFTrueTypeFont()
        font.Name = internal_name
        font.BaseFont = parts.base_font
        font.FirstChar = 0
        font.LastChar = count - 1
        font.Widths = _Formatted(parts.widths)
        to_unicode = PDFStream(PDFDictionary({"Filter": flate()}), parts.to_unicode)
        font.ToUnicode = doc.Reference(to_unicode, f"toUnicodeCMap:{parts.base_font}")  # type: ignore[attr-defined]
        font.FontDescriptor = doc.Reference(descriptor, f"fontDescriptor:{parts.base_font}")  # type: ignore[attr-defined]
        doc.Reference(font, internal_name)  # type: ignore[attr-defined]
        return font


def reserve_text(canvas: Canvas, font_name: str, text: str) -> None:
    """Reserve ``text`` in the first subsets of the registered font ``font_name`` for the canvas's document."""
    font = pdfmetrics.getFont(font_name)
    if isinstance(font, SubsetCachingTTFont):
        font.reserve(canvas._doc, text)
