"""6.1 印鑑登録証明書: issued with a gapless serial, the person's data and the office seal; refused when closed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from handlers.base import HandlerError
from handlers.environment import Operator
from handlers.services.certificates import issue_certificate
from registry.documents.models import IssuedCertificate
from registry.seals import records
from tests.printing_ui.conftest import audit_events, close_registration, compact, pdf_text, registration_id_of

COUNTER = Operator("madoguchi", "madoguchi")


def issue(product, registration_id: int, channel: str = "counter"):
    with product.session_factory.begin() as session:
        return issue_certificate(session, product.services, registration_id, channel=channel, actor=COUNTER)


def test_certificate_prints_name_serial_and_is_recorded(product, driver, office_seal):
    registered = driver.registered_person()
    registration_id = registration_id_of(product, registered.registration_number)
    issued = issue(product, registration_id)
    year = issued.issued_at.year
    assert re.fullmatch(rf"{year}-\d{{6}}", issued.serial)
    text = pdf_text(issued.pdf)
    with product.session_factory() as session:
        record = records.get_registration(session, registration_id)
        row = session.scalars(select(IssuedCertificate).where(IssuedCertificate.serial == issued.serial)).one()
    assert compact(record.name) in text and issued.serial in text and registered.registration_number in text
    assert "印鑑登録証明書" in compact(text) and "この写しは、登録されている印影と相違ないことを証明します。" in text
    assert (row.registration_id, row.channel, row.issued_by, row.blob_sha256) == (
        registration_id, "counter", "madoguchi", issued.blob_id)
    event = audit_events(product, "certificate_issued")[-1]
    assert event == event | {"serial": issued.serial, "registration_number": registered.registration_number,
                             "channel": "counter", "actor": "madoguchi"}


def test_serials_follow_each_other_without_gaps(product, driver, office_seal):
    registration_id = registration_id_of(product, driver.registered_person().registration_number)
    first, second = issue(product, registration_id), issue(product, registration_id, channel="konbini")
    assert int(second.serial[-6:]) == int(first.serial[-6:]) + 1


def test_a_closed_registration_gets_no_certificate(product, driver, office_seal):
    registered = driver.registered_person()
    registration_id = close_registration(product, registered.registration_number)
    with product.session_factory() as session:
        before = len(session.scalars(select(IssuedCertificate.id)).all())
    with pytest.raises(HandlerError) as refused:
        issue(product, registration_id)
    assert refused.value.code == "registration_closed" and "交付できません" in refused.value.message
    with product.session_factory() as session:
        assert len(session.scalars(select(IssuedCertificate.id)).all()) == before


def test_unknown_channel_is_refused(product, driver, office_seal):
    registration_id = registration_id_of(product, driver.registered_person().registration_number)
    with pytest.raises(HandlerError) as refused:
        issue(product, registration_id, channel="fax")
    assert refused.value.code == "invalid_channel"


def test_a_clerk_issues_one_from_the_registration_page(login, product, driver, office_seal):
    registered = driver.registered_person()
    registration_id = registration_id_of(product, registered.registration_number)
    client = login("madoguchi")
    response = client.post(f"/documents/registrations/{registration_id}/certificate")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    serial = re.search(r"\d{4}-\d{6}", page).group(0)
    certificate_id = int(response.headers["Location"].rsplit("/", 1)[1])
    pdf = client.get(f"/documents/certificate/{certificate_id}.pdf?download=1")
    assert pdf.headers["Content-Disposition"].startswith("attachment;") and serial in pdf_text(pdf.data)
    resident = client.get(f"/residents/{registered.resident_id}").get_data(as_text=True)
    assert serial in resident
    assert login("auditor").post(f"/documents/registrations/{registration_id}/certificate").status_code == 403


def test_the_page_refuses_a_closed_registration_in_japanese(login, product, driver, office_seal):
    registration_id = close_registration(product, driver.registered_person().registration_number)
    response = login("madoguchi").post(f"/documents/registrations/{registration_id}/certificate")
    assert response.status_code == 422 and "廃止または抹消" in response.get_data(as_text=True)
