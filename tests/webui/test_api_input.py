"""/api/v1 input handling: malformed bodies and parameters, uploads, searches and missing things — never a 500."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter

import imaging
from juki import DEMO_RESIDENTS
from tests.webui.api_contract import Api


@pytest.fixture
def api(client, api_token):
    return lambda role: Api(client, api_token(role))


def upload(clerk: Api, content: bytes, filename: str, media_type: str, expect: int) -> dict:
    return clerk.post("/blobs", expect, data={"file": (io.BytesIO(content), filename, media_type)},
                      content_type="multipart/form-data")


@pytest.mark.parametrize(("raw", "status", "code"), [
    (b'{"process_id": "sokuji_touroku",', 400, "invalid_json"),
    (b"\xff\xfe{", 400, "invalid_character"),  # not UTF-8 (RFC 8259: JSON between systems is UTF-8)
    (b'["sokuji_touroku"]', 422, "invalid_body"),
    (b'{"process_id": 7}', 422, "invalid_body"),
    (b'{"process_id": "sokuji_touroku", "data": [1]}', 422, "invalid_body"),
    (b'{"process_id": "sokuji_touroku", "data": {"resident_id": {"x": 1}}}', 422, "invalid_start_data"),
    (b'{"process_id": "no_such_flow"}', 404, "definition_not_found"),
])
def test_bad_start_requests(api, raw, status, code):
    body = api("madoguchi").post("/instances", status, data=raw, content_type="application/json")
    assert body["error"] == code and body["message"]


@pytest.mark.parametrize(("template", "query"), [
    ("/inbox", {"page": "two"}),
    ("/inbox", {"per_page": "201"}),
    ("/inbox", {"lane": "住民"}),
    ("/inbox", {"mine": "maybe"}),
    ("/instances", {"status": "bogus"}),
    ("/instances", {"page": "0"}),
    ("/residents", {"kana": "ヤマダ", "page": "1.5"}),
    ("/residents", {"kana": "ヤマダ", "include_former": "perhaps"}),
])
def test_bad_query_parameters_are_400(api, template, query):
    body = api("manager").get(template, 400, query=query)
    assert body["error"] == "invalid_parameter" and body["message"]


def test_unknown_things_are_404(api):
    clerk = api("manager")
    assert clerk.get("/instances/{instance_id}", 404, instance_id=999999)["error"] == "instance_not_found"
    assert clerk.get("/instances/{instance_id}/events", 404, instance_id=999999)["error"] == "instance_not_found"
    assert clerk.get("/tasks/{task_id}", 404, task_id=999999)["error"] == "task_not_found"
    assert clerk.post("/tasks/{task_id}/claim", 404, task_id=999999)["error"] == "task_not_found"
    assert clerk.get("/blobs/{sha256}", 404, sha256="0" * 64)["error"] == "blob_not_found"
    assert clerk.get("/residents/{resident_id}", 404, resident_id="99999999999")["error"] == "resident_not_found"
    assert clerk.get("/registrations/{number}", 404, number="00000000")["error"] == "record_not_found"


def one_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_uploads_are_sniffed(api):
    back = api("backyard")
    png = imaging.make_seal_scan("山本", fmt="PNG")
    stored = upload(back, png, "scan.png", "application/octet-stream", 201)
    assert stored["media_type"] == "image/png" and stored["size"] == len(png)
    assert back.get("/blobs/{sha256}", sha256=stored["sha256"]) == png
    jpeg = upload(back, imaging.make_seal_scan("山本", fmt="JPEG"), "scan.jpg", "image/jpeg", 201)
    assert jpeg["media_type"] == "image/jpeg"
    tiff = upload(back, imaging.make_seal_scan("山本", fmt="TIFF"), "scan.tif", "image/tiff", 201)
    assert tiff["media_type"] == "image/tiff"
    assert upload(back, one_page_pdf(), "a.pdf", "application/pdf", 201)["media_type"] == "application/pdf"
    assert upload(back, b"%PDF-1.4\n%%EOF\n", "a.pdf", "application/pdf", 415)["error"] == "not_a_pdf"

    for content, media_type in ((b"GIF89a\x01\x00", "image/gif"), (b"<svg/>", "image/png"),
                                (b"MZ\x90\x00", "application/pdf"), (png, "application/pdf")):
        assert upload(back, content, "x.bin", media_type, 415)["error"] == "unsupported_media_type"
    assert upload(back, b"", "empty.png", "image/png", 422)["error"] == "empty_file"
    missing = back.post("/blobs", 400, data={"other": "x"}, content_type="multipart/form-data")
    assert missing["error"] == "missing_file"
    assert upload(api("admin"), png, "scan.png", "image/png", 403)["error"] == "forbidden"


def test_resident_search_and_lookup(api):
    clerk = api("madoguchi")
    found = clerk.get("/residents", query={"kana": "ヤマダ", "per_page": 200})
    eligible = next(r for r in found["rows"] if r["resident_id"] == DEMO_RESIDENTS["eligible"])
    assert eligible["name"] == "山田\u3000太郎" and eligible["birth_date"] == "1980-05-12"
    assert found["total"] >= len(found["rows"]) >= 1

    moved = DEMO_RESIDENTS["moved_out"]
    assert clerk.get("/residents", query={"resident_id": moved})["rows"] == []
    former = clerk.get("/residents", query={"resident_id": moved, "include_former": "true"})
    assert [r["status"] for r in former["rows"]] == ["moved_out"]

    assert clerk.get("/residents", 422)["error"] == "invalid_query"
    assert clerk.get("/residents", 422, query={"birth_date": "1980-13-45"})["error"] == "invalid_query"

    detail = clerk.get("/residents/{resident_id}", resident_id=DEMO_RESIDENTS["eligible"])
    members = {m["resident_id"] for m in detail["household"]}
    assert {DEMO_RESIDENTS["eligible"], DEMO_RESIDENTS["spouse"], DEMO_RESIDENTS["child"]} <= members
    assert detail["resident"]["nationality"] == "JP"


def test_registrations_read_back(api, driver):
    registered = driver.registered_person(seal_text="読込")
    record = api("auditor").get("/registrations/{number}", number=registered.registration_number)
    assert record["resident_id"] == registered.resident_id and record["status_label"] == "登録"
    assert [h["reason"] for h in record["history"]] == ["登録", "登録証交付"]
    assert record["card_kind"] and record["impression"]["mm_per_px"] > 0


def test_inbox_of_my_claims_only(api, driver):
    counter = api("madoguchi")
    task_id = driver.start(driver.fresh_resident()).next_task_id
    counter.post("/tasks/{task_id}/claim", task_id=task_id)
    mine = counter.get("/inbox", query={"mine": "true", "per_page": 200})
    assert task_id in [r["task_id"] for r in mine["rows"]]
    assert all(r["claimed_by"] == "madoguchi" for r in mine["rows"])
    assert task_id not in [r["task_id"] for r in api("manager").get("/inbox", query={"mine": "1"})["rows"]]
