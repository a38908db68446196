"""PDF/A-2b checks of a PDF, one per requirement of ISO 19005-2 that our documents could break (veraPDF is not
installable here), and the `pdffonts` check that no font is left unembedded."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

from fontTools.ttLib import TTFont
from lxml import etree
from PIL import ImageCms
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject, IndirectObject, StreamObject

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
}
_FORBIDDEN_FILTERS = {"/LZWDecode", "/Crypt"}
_BLEND_MODES = {"/Normal", "/Compatible", "/Multiply", "/Screen", "/Overlay", "/Darken", "/Lighten", "/ColorDodge",
                "/ColorBurn", "/HardLight", "/SoftLight", "/Difference", "/Exclusion", "/Hue", "/Saturation",
                "/Color", "/Luminosity"}
_TEXT_SHOWING = {b"Tj", b"TJ", b"'", b'"'}
_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([+\-Z])?(\d{2})?'?(\d{2})?'?")
PDFFONTS = shutil.which("pdffonts")


def assert_pdfa_2b(pdf: bytes) -> int:
    """Fail naming the first PDF/A-2b requirement ``pdf`` breaks (file structure, metadata, output intent,
    fonts and glyphs, images, graphics states, actions); return how many shown glyphs were checked."""
    _check_file_structure(pdf)
    reader = PdfReader(BytesIO(pdf), strict=True)
    assert not reader.is_encrypted and "/Encrypt" not in reader.trailer, "6.1.3: no encryption"
    ids = reader.trailer.get("/ID")
    assert ids is not None and len(ids) == 2 and all(len(bytes(part.original_bytes)) for part in ids), "6.1.3: file ID"
    catalog = reader.trailer["/Root"]
    _check_catalog(catalog)
    _check_metadata(catalog, reader.trailer["/Info"])
    _check_output_intent(catalog)
    for obj in _all_objects(reader):
        _check_object(obj)
    glyphs = 0
    for page in reader.pages:
        assert "/AA" not in page and "/PresSteps" not in page, "6.5.2 / 6.10: page actions or presentation steps"
        for annotation in page.get("/Annots") or []:
            flags = int(annotation.get_object().get("/F", 0))
            assert flags & 4 and not flags & (1 | 2 | 32 | 256), "6.3.2: annotations print and are visible"
        glyphs += _check_text(page.get("/Resources") or DictionaryObject(), page.get_contents().operations, reader)
    return glyphs


def assert_every_font_embedded(pdf: bytes, tmp_path: Path) -> list[str]:
    """`pdffonts` lists at least one font and says `emb yes` for each; return its font lines."""
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run([PDFFONTS, str(path)], check=True, capture_output=True, text=True).stdout
    lines = listing.splitlines()[2:]
    assert lines, listing
    for line in lines:
        embedded = line.split()[-5]  # name and type may hold spaces; then emb sub uni object generation
        assert embedded == "yes", f"pdffonts: not embedded: {line}"
    return lines


def _check_file_structure(pdf: bytes) -> None:
    header = re.match(rb"%PDF-1\.[0-7](\r\n|\r|\n)%(....)", pdf)
    assert header and all(byte > 127 for byte in header.group(2)), "6.1.2: header and binary comment"
    tail = pdf[pdf.rindex(b"%%EOF") + 5:]
    assert tail in (b"", b"\n", b"\r\n", b"\r"), "6.1.3: nothing after %%EOF"
    assert re.search(rb"(^|[\r\n])xref(\r\n|\r|\n)\d+ \d+(\r\n|\r|\n)", pdf), "6.1.4: xref keyword and subsection"


def _check_catalog(catalog: DictionaryObject) -> None:
    for key in ("/AA", "/NeedsRendering", "/Requirements"):
        assert key not in catalog, f"catalog has {key}"
    names = catalog.get("/Names") or {}
    assert "/JavaScript" not in names and "/AlternatePresentations" not in names, "6.6.1 / 6.10: JavaScript"
    acro = catalog.get("/AcroForm")
    assert acro is None or ("/XFA" not in acro and not acro.get("/NeedAppearances")), "6.4.1: forms"


def _check_metadata(catalog: DictionaryObject, info: DictionaryObject) -> None:
    """6.6.2: an uncompressed XMP packet identifying PDF/A-2B, and (as asked of us) the same values as Info."""
    assert "/Metadata" in catalog, "6.6.2.1: the catalog has no XMP metadata"
    stream = catalog["/Metadata"].get_object()
    assert stream.get("/Type") == "/Metadata" and stream.get("/Subtype") == "/XML", "6.6.2.1: metadata stream"
    assert "/Filter" not in stream, "6.6.2.1: the metadata stream is not filtered"
    packet = stream.get_data()
    head = re.match(rb'<\?xpacket ([^?]*)\?>', packet)
    assert head and b"bytes=" not in head.group(1) and b"encoding=" not in head.group(1), "6.6.2.1: packet header"
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(packet, parser)

    def value(path: str) -> str:
        found = root.xpath(path, namespaces=NS)
        assert len(found) == 1, f"XMP {path}: {found}"
        return found[0].text or ""

    assert value("//pdfaid:part") == "2" and value("//pdfaid:conformance") == "B", "6.6.4: PDF/A identification"
    pairs = {
        "/Title": "//dc:title/rdf:Alt/rdf:li", "/Author": "//dc:creator/rdf:Seq/rdf:li",
        "/Subject": "//dc:description/rdf:Alt/rdf:li", "/Keywords": "//pdf:Keywords",
        "/Creator": "//xmp:CreatorTool", "/Producer": "//pdf:Producer",
    }
    for key, path in pairs.items():
        assert value(path) == str(info[key]), f"XMP {path} differs from Info {key}"
    for key, path in (("/CreationDate", "//xmp:CreateDate"), ("/ModDate", "//xmp:ModifyDate")):
        assert parse_pdf_date(str(info[key])) == _parse_xmp_date(value(path)), f"XMP {path} differs from {key}"


def parse_pdf_date(text: str) -> date | datetime:
    """A PDF date string as a date (date alone) or an aware datetime."""
    match = _PDF_DATE.fullmatch(text)
    assert match, text
    year, month, day, hour, minute, second, sign, tz_hours, tz_minutes = match.groups()
    if hour is None:
        return date(int(year), int(month or 1), int(day or 1))
    offset = timedelta(hours=int(tz_hours or 0), minutes=int(tz_minutes or 0))
    zone = timezone(-offset if sign == "-" else offset)
    return datetime(int(year), int(month), int(day), int(hour), int(minute or 0), int(second or 0), tzinfo=zone)


def _parse_xmp_date(text: str) -> date | datetime:
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


def _check_output_intent(catalog: DictionaryObject) -> None:
    """6.2.3: a GTS_PDFA1 output intent whose profile is an RGB display or output profile of ICC version < 5."""
    intents = [intent.get_object() for intent in catalog.get("/OutputIntents") or []]
    pdfa = [intent for intent in intents if intent.get("/S") == "/GTS_PDFA1"]
    assert len(pdfa) == 1, "6.2.3: one PDF/A output intent"
    stream = pdfa[0]["/DestOutputProfile"].get_object()
    profile = ImageCms.ImageCmsProfile(BytesIO(stream.get_data())).profile
    assert profile.device_class in ("mntr", "prtr") and profile.xcolor_space == "RGB ", "6.2.3: RGB profile"
    assert profile.version < 5 and int(stream["/N"]) == 3, "6.2.3: ICC version and components"
    assert "/DestOutputProfileRef" not in pdfa[0]


def _all_objects(reader: PdfReader) -> Iterator[object]:
    for number in sorted(reader.xref.get(0, {})):
        yield reader.get_object(IndirectObject(number, 0, reader))


def _check_object(obj: object) -> None:
    if not isinstance(obj, DictionaryObject):
        return
    if isinstance(obj, StreamObject):
        for key in ("/F", "/FFilter", "/FDecodeParms"):
            assert key not in obj, f"6.1.7: stream with {key}"
        filters = obj.get("/Filter")
        names = {str(f) for f in filters} if isinstance(filters, list) else {str(filters)} if filters else set()
        assert not names & _FORBIDDEN_FILTERS, f"6.1.7.2: filter {names}"
    for action in _direct_dicts(obj):
        assert action.get("/S") != "/JavaScript" and "/JS" not in action, "6.6.1: JavaScript action"
    if obj.get("/Subtype") == "/Image":
        _check_image(obj)
    if obj.get("/Type") == "/ExtGState" or ("/BM" in obj or "/TR" in obj):
        _check_graphics_state(obj)
    if obj.get("/Type") == "/Font" or obj.get("/Subtype") in ("/TrueType", "/Type1", "/Type0", "/CIDFontType2"):
        _check_font(obj)


def _direct_dicts(obj: object) -> Iterator[DictionaryObject]:
    """``obj`` and the dictionaries written inside it (indirect ones are walked on their own)."""
    if isinstance(obj, DictionaryObject):
        yield obj
        values = obj.values()
    elif isinstance(obj, list):
        values = obj
    else:
        return
    for value in values:
        if not isinstance(value, IndirectObject):
            yield from _direct_dicts(value)


def _check_image(image: DictionaryObject) -> None:
    assert not image.get("/Interpolate", False), "6.2.8: Interpolate"
    assert "/Alternates" not in image and "/OPI" not in image, "6.2.8: Alternates / OPI"
    if image.get("/ImageMask"):
        assert int(image.get("/BitsPerComponent", 1)) == 1, "6.2.8: image mask depth"
    else:
        assert int(image["/BitsPerComponent"]) in (1, 2, 4, 8, 16), "6.2.8: BitsPerComponent"
    mask = image.get("/SMask")
    if mask is not None:
        assert mask.get_object().get("/Subtype") == "/Image", "6.4: a soft mask is an image"


def _check_graphics_state(state: DictionaryObject) -> None:
    assert "/TR" not in state and "/HTP" not in state, "6.2.5: transfer functions / halftone phase"
    assert state.get("/TR2", "/Default") == "/Default", "6.2.5: TR2"
    modes = state.get("/BM")
    for mode in (modes if isinstance(modes, list) else [modes] if modes else []):
        assert str(mode) in _BLEND_MODES, f"6.2.10: blend mode {mode}"
    soft = state.get("/SMask")
    assert soft in (None, "/None") or soft.get_object().get("/S") in ("/Alpha", "/Luminosity"), "6.4: SMask"


def _check_font(font: DictionaryObject) -> None:
    """6.2.11: the font program embedded; symbolic TrueType without Encoding and with one cmap subtable."""
    if font.get("/Subtype") == "/Type3":
        return
    if font.get("/Subtype") == "/Type0":
        for descendant in font["/DescendantFonts"]:
            _check_font(descendant.get_object())
        return
    descriptor = font.get("/FontDescriptor")
    assert descriptor is not None, f"6.2.11.4: {font.get('/BaseFont')} is not embedded (no descriptor)"
    descriptor = descriptor.get_object()
    assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), (
        f"6.2.11.4: {font.get('/BaseFont')} is not embedded")
    if font.get("/Subtype") == "/TrueType" and int(descriptor["/Flags"]) & 4:
        assert "/Encoding" not in font, "6.2.11.6: symbolic TrueType font with an Encoding"
        tables = _program(font).get("cmap").tables
        assert len(tables) == 1 or any((t.platformID, t.platEncID) == (3, 0) for t in tables), "6.2.11.6: cmap"


def _program(font: DictionaryObject) -> TTFont:
    descriptor = font["/FontDescriptor"].get_object()
    return TTFont(BytesIO(descriptor["/FontFile2"].get_object().get_data()))


def _check_text(resources: DictionaryObject, operations: list, reader: PdfReader) -> int:
    """6.2.11.4 / 6.2.11.5 / 6.2.11.8: every code shown draws a real glyph (not .notdef) whose width in the
    font dictionary matches the font program; form XObjects are followed."""
    fonts = resources.get("/Font") or {}
    programs: dict[str, tuple[DictionaryObject, dict[int, str], TTFont]] = {}
    current, checked = None, 0
    for operands, operator in operations:
        if operator == b"Tf":
            current = str(operands[0])
            if current not in programs:
                font = fonts[current].get_object()
                program = _program(font)
                programs[current] = (font, program["cmap"].tables[0].cmap, program)
        elif operator in _TEXT_SHOWING:
            assert current is not None, "text shown without a font"
            for code in _codes(operands):
                _check_glyph(*programs[current], code)
                checked += 1
        elif operator == b"Do":
            xobject = (resources.get("/XObject") or {})[str(operands[0])].get_object()
            if xobject.get("/Subtype") == "/Form":
                form = ContentStream(xobject, reader).operations
                checked += _check_text(xobject.get("/Resources") or resources, form, reader)
    return checked


def _codes(operands: list) -> Iterator[int]:
    for operand in operands:
        if isinstance(operand, list):
            yield from _codes(operand)
        elif isinstance(operand, str | bytes):
            raw = operand.original_bytes if hasattr(operand, "original_bytes") else bytes(operand)
            yield from raw


def _check_glyph(font: DictionaryObject, cmap: dict[int, str], program: TTFont, code: int) -> None:
    glyph = cmap.get(code)
    assert glyph and glyph != ".notdef", f"6.2.11.8: code {code} of {font['/BaseFont']} draws .notdef"
    first = int(font["/FirstChar"])
    declared = float(font["/Widths"][code - first])
    advance = program["hmtx"][glyph][0] * 1000 / program["head"].unitsPerEm
    assert abs(declared - advance) <= 1, f"6.2.11.5: width of code {code} in {font['/BaseFont']}"
