"""Printed documents in the UI: preview (inline), download (attachment), print, and 再発行 only with a reason."""

from __future__ import annotations

import re

import pytest

from handlers.services.documents import CARD, CLOSED_SHEET, CONFIRMATION_SHEET
from registry.seals import records
from registry.seals.models import IssuedDocument
from tests.printing_ui.conftest import audit_events, close_registration, pdf_text, registration_id_of


def documents(product, registration_id: int) -> list[IssuedDocument]:
    with product.session_factory() as session:
        return records.documents_of(session, registration_id)


@pytest.fixture
def registered(driver, product):
    registered = driver.register()  # the documents 4.1.2 printed are under test
    registered.registration_id = registration_id_of(product, registered.registration_number)
    return registered


def test_preview_is_inline_and_download_is_an_attachment(login, product, registered):
    sheet = documents(product, registered.registration_id)[0]
    client = login("auditor")
    page = client.get(f"/documents/{sheet.id}").get_data(as_text=True)
    assert f'<iframe id="doc-frame" class="pdf-frame" src="/documents/document/{sheet.id}.pdf"' in page
    assert "data-print-frame" in page  # the 印刷 button
    assert "再発行する" not in page  # auditors read only
    inline = client.get(f"/documents/document/{sheet.id}.pdf")
    assert inline.status_code == 200 and inline.mimetype == "application/pdf" and inline.data.startswith(b"%PDF")
    assert inline.headers["Content-Disposition"].startswith("inline;")
    assert inline.headers["Cache-Control"] == "private, no-store"
    download = client.get(f"/documents/document/{sheet.id}.pdf?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert registered.registration_number in download.headers["Content-Disposition"]


def test_registration_page_lists_documents_with_preview_download_print_and_reprint(login, product, registered):
    sheet = documents(product, registered.registration_id)[0]
    clerk = login("madoguchi").get(f"/residents/{registered.resident_id}").get_data(as_text=True)
    assert CONFIRMATION_SHEET in clerk
    assert f'href="/documents/{sheet.id}"' in clerk
    assert f'href="/documents/document/{sheet.id}.pdf?download=1"' in clerk
    assert "data-print-pdf" in clerk and f'href="/documents/{sheet.id}#reprint"' in clerk
    assert "印鑑登録証明書を発行" in clerk
    auditor = login("auditor").get(f"/residents/{registered.resident_id}").get_data(as_text=True)
    assert f'href="/documents/document/{sheet.id}.pdf?download=1"' in auditor
    assert "#reprint" not in auditor and "印鑑登録証明書を発行" not in auditor


def test_instance_page_lists_the_documents_it_printed(login, product, registered):
    sheet = documents(product, registered.registration_id)[0]
    html = login("auditor").get(f"/instances/{registered.instance_id}").get_data(as_text=True)
    assert "この事案で出力した帳票" in html and f'href="/documents/{sheet.id}"' in html


@pytest.mark.parametrize("reason", ["", "   "])
def test_reprint_without_a_reason_is_refused(login, product, registered, reason):
    sheet = documents(product, registered.registration_id)[0]
    before = len(audit_events(product, "document_reprinted"))
    response = login("backyard").post(f"/documents/{sheet.id}/reprint", data={"reason": reason})
    assert response.status_code == 422
    assert "再発行するには理由を入力してください" in response.get_data(as_text=True)
    assert len(documents(product, registered.registration_id)) == 1
    assert len(audit_events(product, "document_reprinted")) == before


def test_reprint_with_a_reason_is_marked_saihakko_and_audited(login, product, registered):
    sheet = documents(product, registered.registration_id)[0]
    client = login("backyard")
    response = client.post(f"/documents/{sheet.id}/reprint", data={"reason": "本人控えの紛失"})
    assert response.status_code == 302
    new_id = int(re.search(r"/documents/(\d+)$", response.headers["Location"]).group(1))
    latest = documents(product, registered.registration_id)[0]
    assert latest.id == new_id and latest.kind == CONFIRMATION_SHEET
    assert latest.reprint_reason == "本人控えの紛失" and latest.printed_by == "backyard"
    text = pdf_text(client.get(f"/documents/document/{new_id}.pdf").data)
    assert "再発行" in text and "本人控えの紛失" in text and registered.registration_number in text
    event = audit_events(product, "document_reprinted")[-1]
    assert event["actor"] == "backyard" and event["document_id"] == new_id
    assert event["reprint_reason"] == "本人控えの紛失" and event["registration_number"] == registered.registration_number
    page = client.get(f"/documents/{new_id}").get_data(as_text=True)
    assert "再発行" in page and "本人控えの紛失" in page


def test_card_first_print_then_reprint_needs_a_reason(login, product, registered):
    client = login("backyard")
    url = f"/documents/registrations/{registered.registration_id}/print"
    first = client.post(url, data={"kind": CARD})
    assert first.status_code == 302
    card = documents(product, registered.registration_id)[0]
    assert card.kind == CARD and card.reprint_reason is None
    assert registered.registration_number in pdf_text(client.get(f"/documents/document/{card.id}.pdf").data)
    assert audit_events(product, "document_printed")[-1]["document_id"] == card.id
    again = client.post(url, data={"kind": CARD})
    assert again.status_code == 422 and "理由" in again.get_data(as_text=True)
    assert client.post(url, data={"kind": CARD, "reason": "カード破損"}).status_code == 302
    assert documents(product, registered.registration_id)[0].reprint_reason == "カード破損"


def test_closed_record_prints_the_joho_sheet_only(login, product, registered):
    close_registration(product, registered.registration_number, reason="死亡")
    client = login("backyard")
    url = f"/documents/registrations/{registered.registration_id}/print"
    refused = client.post(url, data={"kind": CONFIRMATION_SHEET})
    assert refused.status_code == 422 and "出力できません" in refused.get_data(as_text=True)
    assert client.post(url, data={"kind": CLOSED_SHEET}).status_code == 302
    closed = documents(product, registered.registration_id)[0]
    text = pdf_text(client.get(f"/documents/document/{closed.id}.pdf").data)
    assert closed.kind == CLOSED_SHEET and "除票" in text and "死亡" in text
    reprinted = client.post(f"/documents/{closed.id}/reprint", data={"reason": "監査用の控え"})
    assert reprinted.status_code == 302
    assert "再発行" in pdf_text(client.get(reprinted.headers["Location"].replace("/documents/", "/documents/document/")
                                         + ".pdf").data)


def test_auditors_and_admins_cannot_print(login, product, registered):
    sheet = documents(product, registered.registration_id)[0]
    for role in ("auditor", "admin"):
        client = login(role)
        assert client.post(f"/documents/{sheet.id}/reprint", data={"reason": "x"}).status_code == 403
        assert client.post(f"/documents/registrations/{registered.registration_id}/print",
                           data={"kind": CARD}).status_code == 403
    assert login("admin").get(f"/documents/document/{sheet.id}.pdf").status_code == 403


def test_unknown_documents_are_404(login):
    client = login("madoguchi")
    assert client.get("/documents/987654").status_code == 404
    assert client.get("/documents/document/987654.pdf").status_code == 404
    assert client.get("/documents/nonsense/1.pdf").status_code == 404


def test_the_flow_print_is_an_audit_event_of_its_instance(product, registered):
    sheet = documents(product, registered.registration_id)[0]
    event = next(e for e in audit_events(product, "document_printed") if e["document_id"] == sheet.id)
    assert event["document"] == CONFIRMATION_SHEET and event["registration_number"] == registered.registration_number
    assert event["reprint_reason"] is None and event["actor"] == "backyard"
