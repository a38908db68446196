"""One door per document: a printed PDF follows the documents' role rule (clerks and auditors, never the system
administrator) whatever URL reaches it — the documents page, the blob URL of the pages and of the API — and each
view is in the access log; scans and impressions stay readable by staff; the kiosk shows only what it received."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conftest import ROLES
from engine.actor import Actor
from engine.evidence.access_log import AccessEntry
from engine.runtime.queries import instance_detail
from handlers.services.certificates import issue_certificate
from registry.seals import records
from registry.seals.models import Impression
from tests.support.certificates import ensure_office_seal

DOCUMENT_READERS = ("madoguchi", "backyard", "manager", "auditor")


@pytest.fixture(scope="module")
def printed(product):
    """A registration's 確認票 and a 6.1 certificate (their hashes and ids) and its impression image."""
    from tests.support.flow import RegistrationDriver

    ensure_office_seal(product)
    registered = RegistrationDriver(product).register(seal_text="扉")
    with product.session_factory.begin() as session:
        detail = instance_detail(session, product.specs, registered.instance_id)
        record = records.registration_by_number(session, registered.registration_number)
        document = records.documents_of(session, record.id)[0]
        certificate = issue_certificate(session, product.services, record.id, channel="counter",
                                        actor=Actor("madoguchi", "madoguchi"))
        impression = session.get(Impression, record.impression_id)
        assert detail.data["confirmation"]["document_blob_id"] == document.blob_sha256
        return {"resident_id": record.resident_id, "document_id": document.id, "document_sha": document.blob_sha256,
                "certificate_id": certificate.certificate_id, "certificate_sha": certificate.blob_id,
                "image_sha": impression.image_blob}


def document_urls(p: dict) -> list[tuple[str, str]]:
    """Every URL that reaches the two printed PDFs: (kind, url); 'api' ones take a bearer token."""
    return [("page", f"/documents/document/{p['document_id']}.pdf"),
            ("page", f"/documents/certificate/{p['certificate_id']}.pdf"),
            ("page", f"/residents/blobs/{p['document_sha']}"),
            ("page", f"/residents/blobs/{p['document_sha'].upper()}?download=1"),
            ("page", f"/residents/blobs/{p['certificate_sha']}"),
            ("api", f"/api/v1/blobs/{p['document_sha']}"),
            ("api", f"/api/v1/blobs/{p['certificate_sha']}")]


def views_of(product, resident_id: str) -> int:
    with product.session_factory() as session:
        return session.scalar(select(func.count()).select_from(AccessEntry)
                              .where(AccessEntry.resident_id == resident_id))


@pytest.mark.parametrize("role", ROLES)
def test_every_url_of_a_printed_pdf_follows_the_documents_rule(login, api_token, product, printed, role):
    client = login(role)
    for kind, url in document_urls(printed):
        before = views_of(product, printed["resident_id"])
        response = client.get(url, headers=api_token(role) if kind == "api" else {})
        if role in DOCUMENT_READERS:
            assert response.status_code == 200, (url, response.status_code)
            assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
            assert response.headers["Cache-Control"] == "private, no-store"
            assert views_of(product, printed["resident_id"]) == before + 1, url  # each view is logged
        else:
            assert response.status_code == 403, (url, response.status_code)
            assert b"%PDF-" not in response.data
            assert views_of(product, printed["resident_id"]) == before


@pytest.mark.parametrize("role", ROLES)
def test_scans_and_impressions_stay_readable_by_staff(login, api_token, printed, role):
    png = login(role).get(f"/residents/blobs/{printed['image_sha']}")
    assert png.status_code == 200 and png.mimetype == "image/png"
    api = login(role).get(f"/api/v1/blobs/{printed['image_sha']}", headers=api_token(role))
    assert api.status_code == 200 and api.data == png.data


def test_anonymous_gets_nothing(app, printed):
    client = app.test_client()
    assert client.get(f"/residents/blobs/{printed['document_sha']}").status_code == 302  # to the login page
    assert client.get(f"/api/v1/blobs/{printed['document_sha']}").status_code == 401


def test_the_kiosk_shows_only_the_certificate_it_received(login, product, driver, office_seal, open_all_day):
    from tests.support.konbini import new_serial, register_with_card

    serial = new_serial()
    register_with_card(driver, serial)
    admin = login("admin")
    page = admin.post("/kiosk", data={"serial": serial, "kind": "inkan_certificate"}).get_data(as_text=True)
    url = page.split('<iframe title="印鑑登録証明書" src="', 1)[1].split('"', 1)[0]
    assert url.startswith("/kiosk/") and url.endswith(".pdf")
    shown = admin.get(url)
    assert shown.status_code == 200 and shown.data.startswith(b"%PDF-")
    assert login("admin").get(url).status_code == 404  # another session: not its printout
    with product.session_factory() as session:
        from registry.konbini.queries import request_by_id

        sha = request_by_id(session, url.removeprefix("/kiosk/").removesuffix(".pdf")).document_sha
    assert admin.get(f"/residents/blobs/{sha}").status_code == 403  # the document's door stays closed
