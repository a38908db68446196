"""6.1 印鑑登録証明書の交付 (counter) through the real engine: copies and fee, the card typed or scanned, the My
Number card checked with J-LIS, every refusal shown with its reason and recorded without a certificate or fee."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest
from pypdf import PdfReader

from engine.models import ProcessInstance
from juki import jlis
from registry.blobs.store import get_blob
from registry.documents.models import IssuedCertificate
from registry.seals import records
from registry.seals.models import Registration
from tests.support.certificates import ensure_office_seal
from tests.support.certificates_flow import CounterDriver
from tests.webui.test_konbini import new_serial, register_with_card
from webui.config import ConfigurationError, check_config, defaults


@pytest.fixture
def counter(product) -> CounterDriver:
    return CounterDriver(product)


@pytest.fixture(scope="module", autouse=True)
def office_seal(product):
    ensure_office_seal(product)


def certificate_count(product) -> int:
    with product.session_factory() as session:
        return session.query(IssuedCertificate).count()


def test_three_copies_are_three_certificates_and_the_fee_is_recorded(counter, driver, product):
    person = driver.registered_person()
    outcome = counter.issue(person.resident_id, person.registration_number, copies=3)
    with product.session_factory() as session:
        assert session.get(ProcessInstance, outcome.instance_id).end_event == "end_issued"
    issued = counter.certificates_of_instance(outcome.instance_id)
    assert len({c.serial for c in issued}) == 3 and {c.channel for c in issued} == {"counter"}
    [row] = counter.counter_rows(outcome.instance_id)
    assert (row.outcome, row.copies, row.fee_per_copy, row.fee_total, row.applicant) == ("issued", 3, 300, 900, "self")
    with product.session_factory() as session:
        pdf = get_blob(session, issued[0].blob_sha256).data
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "印鑑登録証明書" in text and issued[0].serial in text


def test_the_fee_per_copy_follows_the_setting(counter, driver, product, monkeypatch):
    monkeypatch.setattr(product.services, "settings", replace(product.services.settings, certificate_fee=350))
    person = driver.registered_person()
    outcome = counter.issue(person.resident_id, person.registration_number, copies=2)
    assert counter.data(outcome.instance_id)["issuance"]["fee_total"] == 700
    assert counter.counter_rows(outcome.instance_id)[0].fee_total == 700


def test_a_card_number_typed_in_full_width_with_dashes_is_read(counter, driver):
    person = driver.registered_person()
    typed = "－".join(person.registration_number[i:i + 4] for i in (0, 4)).translate(
        str.maketrans("0123456789", "０１２３４５６７８９"))
    check = counter.data(counter.request(person.resident_id, typed).instance_id)["check"]
    assert check["ok"] is True and check["registration_number"] == person.registration_number


def test_the_my_number_card_is_checked_with_jlis_and_a_revoked_certificate_is_refused(counter, driver, product):
    serial = new_serial()
    record = register_with_card(driver, serial)
    ok = counter.request(record.resident_id, card_kind="mynumber_card", mynumber_cert_serial=serial.lower())
    assert counter.data(ok.instance_id)["check"]["ok"] is True
    with product.session_factory.begin() as session:
        jlis.put_certificate(session, serial, "revoked", actor="test")
    refused = counter.request(record.resident_id, card_kind="mynumber_card", mynumber_cert_serial=serial)
    check = counter.data(refused.instance_id)["check"]
    assert (check["ok"], check["reason"]) == (False, "certificate_revoked") and "失効" in check["message"]
    unlinked = counter.request(record.resident_id, card_kind="mynumber_card", mynumber_cert_serial=new_serial())
    assert counter.data(unlinked.instance_id)["check"]["reason"] == "card_not_linked"


def close(product, resident_id: str) -> None:
    with product.session_factory.begin() as session:
        row = session.query(Registration).filter_by(resident_id=resident_id, status="registered").one()
        row.status, row.closed_on = "abolished", product.services.today()


@pytest.mark.parametrize(("case", "reason", "words"), [
    ("unknown_number", "card_not_found", "見つかりません"),
    ("someone_elses_card", "card_mismatch", "登録証は、申請書の方"),
    ("closed", "registration_closed", "廃止または抹消"),
    ("suspended", "issuance_suspended", "一時停止"),
])
def test_each_refusal_is_shown_and_recorded_without_a_certificate_or_fee(counter, driver, product, login, case,
                                                                        reason, words):
    person = driver.registered_person()
    number, resident_id = person.registration_number, person.resident_id
    if case == "unknown_number":
        number = "99999999"
    if case == "someone_elses_card":
        number = driver.registered_person().registration_number
    if case == "closed":
        close(product, resident_id)
    if case == "suspended":
        counter.suspend(resident_id)
    before = certificate_count(product)
    outcome = counter.request(resident_id, number, copies=2)
    check = counter.data(outcome.instance_id)["check"]
    assert (check["ok"], check["reason"]) == (False, reason) and words in check["message"]
    if case == "someone_elses_card":  # the panel, the task data and the API name neither the other person nor
        with product.session_factory() as session:  # their number (issue 18 point 6)
            other_name = records.registration_by_number(session, number).name
        assert other_name not in json.dumps(counter.data(outcome.instance_id), ensure_ascii=False)
        assert number not in json.dumps(check) and {"name", "registration_number"}.isdisjoint(check)
        page = login("madoguchi", purpose="certificate").get(f"/tasks/{counter.open_tasks(outcome.instance_id)[0].id}")
        assert page.status_code == 200 and other_name not in page.get_data(as_text=True)
    outcome = counter.close_refusal(outcome)
    with product.session_factory() as session:
        assert session.get(ProcessInstance, outcome.instance_id).end_event == "end_refused"
    [row] = counter.counter_rows(outcome.instance_id)
    assert (row.outcome, row.refusal_code, row.copies, row.fee_total, row.serials_json) == (
        "refused", reason, 2, 0, "[]")
    assert certificate_count(product) == before


def test_a_withdrawn_request_issues_nothing_and_charges_nothing(counter, driver, product):
    person = driver.registered_person()
    before = certificate_count(product)
    outcome = counter.request(person.resident_id, person.registration_number, copies=2)
    outcome = counter.step(outcome, {"fee_decision": "withdrawn"})
    [row] = counter.counter_rows(outcome.instance_id)
    assert (row.outcome, row.refusal_code, row.fee_total) == ("withdrawn", "withdrawn", 0)
    assert certificate_count(product) == before


def test_copies_outside_1_to_10_are_refused_by_the_form(counter, driver):
    from engine.errors import FormInvalid

    person = driver.registered_person()
    with pytest.raises(FormInvalid) as refused:
        counter.request(person.resident_id, person.registration_number, copies=11)
    assert "10以下" in refused.value.errors["copies"]


@pytest.mark.parametrize("fee", [-1, 10001])
def test_the_fee_setting_is_checked_at_start_up(tmp_path, fee):
    with pytest.raises(ConfigurationError, match="INKAN_CERTIFICATE_FEE"):
        check_config(defaults(str(tmp_path)) | {"CERTIFICATE_FEE": fee})
