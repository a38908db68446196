"""Uploads are decoded and checked when they arrive — at /api/v1/blobs, the task form's scan field and 2.2.1
印影照合 alike (webui/uploads.py): a pixel bomb, an HTML page behind a PNG signature, a broken or scripted PDF are
refused with a Japanese message and nothing is stored."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from sqlalchemy import func, select

import imaging
from registry.blobs.models import Blob
from tests.webui.api_contract import Api
from webui.uploads import IMAGE_TYPES, UploadRefused, check_upload


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A few hundred bytes whose header promises width × height pixels (900 million by default)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + png_chunk(b"IEND", b""))


HTML_BEHIND_PNG = b"\x89PNG\r\n\x1a\n<html><body><script>alert(document.cookie)</script></body></html>"


def pdf(script: str | None = None) -> bytes:
    """A one-page PDF made with pypdf, with a document-level JavaScript when `script` is given."""
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    if script:
        writer.add_open_action(JavaScript(script))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


SCRIPTED_PDF = pdf("app.alert(1)")
REFUSED = [  # (bytes, declared type, status, code)
    (png_header_bomb(), "image/png", 422, "image_too_large"),
    (png_header_bomb(8000, 6000), "image/png", 422, "image_too_large"),  # 48 M pixels: over imaging's 40 M
    (HTML_BEHIND_PNG, "image/png", 415, "not_an_image"),
    (b"\xff\xd8\xff<svg onload=alert(1)>", "image/jpeg", 415, "not_an_image"),
    (b"%PDF-1.4\n<html>not a pdf</html>", "application/pdf", 415, "not_a_pdf"),
    (SCRIPTED_PDF, "application/pdf", 415, "pdf_with_script"),
    (b"GIF89a\x01\x00\x01\x00", "image/gif", 415, "unsupported_media_type"),
    (b"", "image/png", 422, "empty_file"),
]


def blob_count(product) -> int:
    with product.session_factory() as session:
        return session.scalar(select(func.count()).select_from(Blob))


@pytest.mark.parametrize(("data", "declared", "status", "code"), REFUSED)
def test_the_api_refuses_on_arrival_and_stores_nothing(client, api_token, product, data, declared, status, code):
    before = blob_count(product)
    body = Api(client, api_token("backyard")).post(
        "/blobs", status, data={"file": (io.BytesIO(data), "upload.bin", declared)}, content_type="multipart/form-data")
    assert body["error"] == code and body["message"]
    assert blob_count(product) == before


def test_a_real_scan_and_a_real_pdf_are_stored(client, api_token):
    api = Api(client, api_token("backyard"))
    scan = imaging.make_seal_scan("到着", fmt="PNG")
    stored = api.post("/blobs", 201, data={"file": (io.BytesIO(scan), "scan.png", "image/png")},
                      content_type="multipart/form-data")
    assert stored["media_type"] == "image/png" and api.get("/blobs/{sha256}", sha256=stored["sha256"]) == scan
    assert api.post("/blobs", 201, data={"file": (io.BytesIO(pdf()), "a.pdf", "application/pdf")},
                    content_type="multipart/form-data")["media_type"] == "application/pdf"


def test_a_json_body_is_not_an_upload(client, api_token):
    body = Api(client, api_token("backyard")).post("/blobs", 415, json={"file": "x"})
    assert body["error"] == "unsupported_media_type"


@pytest.mark.parametrize(("data", "declared", "status", "code"), [r for r in REFUSED if r[1].startswith("image/")])
def test_the_task_form_refuses_the_same_files_with_a_field_error(login, driver, product, data, declared, status,
                                                                  code):
    task_id = driver.open_task(driver.to_scan(driver.fresh_resident()).instance_id)
    before = blob_count(product)
    response = login("backyard").post(f"/tasks/{task_id}", content_type="multipart/form-data",
                                      data={"scan_blob_id__file": (io.BytesIO(data), "scan.png", declared),
                                            "scan_dpi": ""})
    assert response.status_code == 422
    assert check_message(data, declared) in response.get_data(as_text=True)
    assert blob_count(product) == before


def test_the_collation_page_refuses_a_pixel_bomb(login, product, driver):
    registered = driver.register(seal_text="照合")
    before = blob_count(product)
    response = login("madoguchi").post(
        f"/residents/{registered.resident_id}/collate/{registered.registration_number}",
        data={"scan": (io.BytesIO(png_header_bomb()), "doc.png", "image/png"), "dpi": ""},
        content_type="multipart/form-data")
    assert response.status_code == 422 and "画像が大きすぎます" in response.get_data(as_text=True)
    assert blob_count(product) == before


def check_message(data: bytes, declared: str) -> str:
    """The Japanese message check_upload gives for these bytes (images only)."""
    with pytest.raises(UploadRefused) as refused:
        check_upload(data, declared=declared, accept=IMAGE_TYPES)
    return refused.value.message


def test_the_office_seal_upload_refuses_a_pixel_bomb_from_its_header():
    from handlers.services.settings import seal_problem

    assert seal_problem(png_header_bomb()) == "公印の画像を読み込めません（壊れたPNGです）"  # Pillow's own bomb limit
    # under Pillow's limit (144 M pixels, ~0.6 GB decoded): refused from the header, before decoding
    assert seal_problem(png_header_bomb(12000, 12000)) == "公印の画像は縦横64〜3000ピクセルにしてください（12000×12000）"
