"""Issue 16 point 12 on the product's own output: every document it stores for a person, downloaded as a clerk
downloads it, is PDF/A-2b and `pdffonts` finds no unembedded font (the batch file: tests/printing_ui/test_batch.py)."""

from __future__ import annotations

import pytest

from handlers.environment import Operator
from handlers.services.certificates import issue_certificate
from handlers.services.documents import CARD, CLOSED_SHEET, CONFIRMATION_SHEET
from registry.seals import records
from tests.printing_ui.conftest import close_registration, registration_id_of
from tests.support.pdfa import PDFFONTS, assert_every_font_embedded, assert_pdfa_2b

pytestmark = pytest.mark.skipif(PDFFONTS is None, reason="poppler-utils not installed")


def test_every_stored_document_of_a_person_is_pdfa_2b(login, product, driver, office_seal, tmp_path):
    registered = driver.register()  # the 4.1.2 flow prints the 原票確認票
    registration_id = registration_id_of(product, registered.registration_number)
    client = login("backyard")
    assert client.post(f"/documents/registrations/{registration_id}/print", data={"kind": CARD}).status_code == 302
    with product.session_factory.begin() as session:
        certificate = issue_certificate(session, product.services, registration_id, channel="counter",
                                        actor=Operator("madoguchi", "madoguchi"))
    close_registration(product, registered.registration_number, reason="死亡")
    assert client.post(f"/documents/registrations/{registration_id}/print",
                       data={"kind": CLOSED_SHEET}).status_code == 302
    with product.session_factory() as session:
        stored = {document.kind: document.id for document in records.documents_of(session, registration_id)}
    assert {CONFIRMATION_SHEET, CARD, CLOSED_SHEET} <= set(stored)
    pdfs = {kind: client.get(f"/documents/document/{document_id}.pdf").data for kind, document_id in stored.items()}
    pdfs["6.1 印鑑登録証明書"] = certificate.pdf
    for kind, pdf in pdfs.items():
        assert pdf.startswith(b"%PDF"), kind
        assert assert_pdfa_2b(pdf) > 20, kind
        assert all("+IPAex" in line for line in assert_every_font_embedded(pdf, tmp_path)), kind
