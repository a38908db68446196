"""XObjects (images, forms) whose compressed stream is built once per process and written once per document."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFObject, PDFStream
from reportlab.pdfgen.canvas import Canvas


class CompressedXObject(PDFObject):
    """An XObject of ``subtype`` with fixed dictionary ``entries`` and already Flate-compressed content."""

    def __init__(self, subtype: str, entries: Mapping[str, object], compressed: bytes) -> None:
        self.subtype = subtype
        self.entries = entries
        self.compressed = compressed

    def format(self, document: object) -> bytes:
        dictionary = PDFDictionary(
            {"Type": PDFName("XObject"), "Subtype": PDFName(self.subtype), **self.entries, "Filter": flate()}
        )
        return PDFStream(dictionary, self.compressed).format(document)


def flate() -> PDFArray:
    """The /Filter entry of a stream whose content is already Flate-compressed."""
    return PDFArray([PDFName("FlateDecode")])


def paint_xobject(canvas: Canvas, name: str, build: Callable[[], CompressedXObject]) -> None:
    """Paint the XObject ``name`` in the current coordinate system; ``build`` makes it on first use per document."""
    doc = canvas._doc
    reg_name = doc.getXObjectName(name)
    if reg_name not in doc.idToObject:
        doc.Reference(build(), reg_name)
    canvas._code.append(f"/{reg_name} Do")
    canvas._formsinuse.append(name)
