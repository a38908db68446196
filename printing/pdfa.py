"""PDF/A-2b for every printed document: an sRGB output intent, XMP metadata that repeats the document information,
and a canvas that never declares reportlab's unembedded default font (Helvetica).

Dates: a naive time is Japan Standard Time, as every document prints it; a date alone stays a date.
"""

from __future__ import annotations

import struct
import zlib
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from PIL import ImageCms
from reportlab.pdfbase.pdfdoc import PDFArray, PDFCatalog, PDFDictionary, PDFName, PDFStream, PDFString
from reportlab.pdfgen.canvas import Canvas

from printing.xobjects import flate

__all__ = ["CONFORMANCE", "CREATOR", "OUTPUT_CONDITION", "PART", "ArchivalCanvas", "Dated", "pdf_date", "srgb_profile",
           "xmp_date", "xmp_packet"]

PART = 2
CONFORMANCE = "B"
OUTPUT_CONDITION = "sRGB IEC61966-2.1"
CREATOR = "印鑑登録システム"
JST = timezone(timedelta(hours=9))
# lcms stamps the current time into the profile header (bytes 24–35); a fixed stamp keeps documents reproducible.
_ICC_DATE = slice(24, 36)
_ICC_FIXED_DATE = struct.pack(">6H", 2025, 1, 1, 0, 0, 0)
_CATALOG_KEYS = (*PDFCatalog.__NoDefault__, "OutputIntents")

Dated = date | datetime


@lru_cache(maxsize=1)
def srgb_profile() -> bytes:
    """The sRGB ICC profile (a display profile, ICC v4) made by Little CMS through Pillow, with a fixed date."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    profile[_ICC_DATE] = _ICC_FIXED_DATE
    return bytes(profile)


@lru_cache(maxsize=1)
def _compressed_profile() -> bytes:
    return zlib.compress(srgb_profile(), 9)


def pdf_date(when: Dated) -> str:
    """「D:20251122140500+09'00'」, or 「D:20251121」 for a date alone."""
    if not isinstance(when, datetime):
        return f"D:{when:%Y%m%d}"
    moment = _aware(when)
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"D:{moment:%Y%m%d%H%M%S}{sign}{minutes // 60:02d}'{minutes % 60:02d}'"


def xmp_date(when: Dated) -> str:
    """「2025-11-22T14:05:00+09:00」, or 「2025-11-21」 for a date alone."""
    if not isinstance(when, datetime):
        return when.isoformat()
    return _aware(when).replace(microsecond=0).isoformat()


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=JST)


def xmp_packet(info: dict[str, str], dated: Dated) -> bytes:
    """The XMP metadata (UTF-8) of a PDF/A-2b file, with the same title, author, subject, keywords, creator tool,
    producer and dates as the document information dictionary ``info`` (keys as in PDFInfo)."""
    stamp = xmp_date(dated)
    text = {key: escape(value) for key, value in info.items()}
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdfaid:part>{PART}</pdfaid:part>
   <pdfaid:conformance>{CONFORMANCE}</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{text["title"]}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{text["author"]}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{text["subject"]}</rdf:li></rdf:Alt></dc:description>
   <pdf:Keywords>{text["keywords"]}</pdf:Keywords>
   <pdf:Producer>{text["producer"]}</pdf:Producer>
   <xmp:CreatorTool>{text["creator"]}</xmp:CreatorTool>
   <xmp:CreateDate>{stamp}</xmp:CreateDate>
   <xmp:ModifyDate>{stamp}</xmp:ModifyDate>
   <xmp:MetadataDate>{stamp}</xmp:MetadataDate>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>""".encode()


class ArchivalCanvas(Canvas):
    """A deterministic canvas that writes its document as PDF/A-2b, dated ``dated`` (issue time or date).

    ``base_font`` (a registered, embedded font) replaces reportlab's initial Helvetica, which every page would
    otherwise declare without embedding it.
    """

    dated: Dated | None = None
    base_font: str | None = None

    def __init__(self, *args: Any, base_font: str | None = None, dated: Dated | None = None, **kwargs: Any):
        kwargs["initialFontName"] = kwargs.get("initialFontName") or base_font or self.base_font
        kwargs |= {"invariant": 1, "lang": "ja-JP"}
        super().__init__(*args, **kwargs)
        self.setCreator(CREATOR)
        if dated is not None:
            self.dated = dated

    def save(self) -> None:
        """Add the output intent, the XMP metadata and the dates, then write the file."""
        if self.dated is None:
            raise ValueError("ArchivalCanvas needs the document's date")
        doc = self._doc
        stamp = pdf_date(self.dated)
        doc.setDateFormatter(lambda *_: stamp)  # CreationDate / ModDate, instead of reportlab's fixed 2000-01-01
        doc.updateSignature(stamp)  # the file ID: a digest of the metadata, now with the date
        catalog = doc.Catalog
        catalog.__NoDefault__ = _CATALOG_KEYS  # reportlab's catalog writes only the keys it lists
        catalog.OutputIntents = PDFArray([_output_intent(doc)])
        catalog.Metadata = _metadata_stream(doc, self.dated)
        super().save()


def _output_intent(doc: Any) -> PDFDictionary:
    profile = PDFStream(PDFDictionary({"N": 3, "Filter": flate()}), _compressed_profile())
    return PDFDictionary(
        {
            "Type": PDFName("OutputIntent"),
            "S": PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": PDFString(OUTPUT_CONDITION),
            "Info": PDFString(OUTPUT_CONDITION),
            "RegistryName": PDFString("http://www.color.org"),
            "DestOutputProfile": doc.Reference(profile, "sRGBProfile"),
        }
    )


def _metadata_stream(doc: Any, dated: Dated) -> PDFStream:
    """The XMP packet as an uncompressed /Metadata stream (PDF/A forbids a filter on it)."""
    info = doc.info
    values = {
        "title": info.title,
        "author": info.author,
        "subject": info.subject,
        "keywords": info.keywords,
        "creator": info.creator,
        "producer": info.producer,
    }
    dictionary = PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")})
    return PDFStream(dictionary, xmp_packet(values, dated))
