"""4.1.1.1 refusing an impression for what it shows (issue 18 point 5), in 4.1.2 and 4.1.4: the three content
refusals end the flow refused with their own code and message and register nothing; on 登録可 the clerk records the
name the impression shows — only one the 住民票 records (a form rule and a form check answering 422) — and it is
kept on the 原票, in its history, on the resident page and, for 旧氏 / 通称 / カタカナ表記, on the certificate."""

from __future__ import annotations

import io
from datetime import date

import pytest
from alembic import command
from pypdf import PdfReader
from sqlalchemy import create_engine, inspect, select, text

from conftest import _create_pg_database, _drop_pg_database
from engine.errors import DefinitionError, FormCheckRefused, FormInvalid
from engine.library.definitions import parse_definition, read_definition_files
from engine.runtime.queries import instance_detail, open_tasks_of_instance
from handlers.services.history_labels import change_summary
from juki import DEMO_RESIDENTS
from juki.models import SimResident
from registry.blobs.store import get_blob
from registry.seals import records
from registry.seals.models import Application, HistoryEntry, Impression, Registration
from tests.engine.conftest import DATA, Flaky, mini_handlers
from tests.engine.test_card_numbers import _insert_records
from tests.support.certificates import ensure_office_seal, unspaced
from tests.support.certificates_flow import CounterDriver
from tests.support.flow import BACK, COUNTER, used_residents
from tests.support.inquiry_flow import APPLICATION, InquiryDriver
from tests.webui.api_contract import Api
from webui.schema import alembic_config

CONTENT_REFUSALS = {
    "impression_no_name": ("氏名等を表していない印影", "又はその一部を組み合わせたもので表されていない印影は登録できません"),
    "impression_other_matter": ("氏名以外の事項を表している印影", "職業・資格その他氏名以外の事項を表している印影"),
    "impression_deformable": ("ゴム印その他の印影を変えやすい印", "ゴム印その他の印鑑で変形しやすいもの"),
}


@pytest.fixture
def inquiry(product, clock) -> InquiryDriver:
    return InquiryDriver(product, clock)  # the clock passes the mail check's minimum wait


def fresh_foreign_resident(product) -> str:
    """An unregistered foreign adult of the population with a カタカナ表記 that no other test used."""
    used = used_residents(product)
    with product.session_factory() as session:
        registered = set(session.scalars(select(Registration.resident_id)))
        candidates = session.scalars(
            select(SimResident.resident_id).where(
                SimResident.status == "resident", SimResident.nationality != "JP",
                SimResident.katakana_name.is_not(None), SimResident.lacks_capacity.is_(False),
                SimResident.birth_date < date(product.services.today().year - 20, 1, 1))
            .order_by(SimResident.resident_id))
        skip = used | registered | set(DEMO_RESIDENTS.values())
        resident_id = next(r for r in candidates if r not in skip)
    used.add(resident_id)
    return resident_id


def with_old_surname(product, resident_id: str, old_surname: str | None = "旧姓") -> str:
    """Record a 旧氏 on a fresh resident's 住民票 in the simulated register."""
    with product.session_factory.begin() as session:
        session.get(SimResident, resident_id).old_surname = old_surname
    return resident_id


def to_review_4_1_2(driver, resident_id: str, seal_text: str = "内容"):
    outcome = driver.to_scan(resident_id)
    return driver.step(outcome, BACK, {"scan_blob_id": driver.scan(seal_text)})


def to_review_4_1_4(inquiry, resident_id: str, seal_text: str = "内容"):
    outcome = inquiry.start(resident_id)
    outcome = inquiry.step(outcome, COUNTER, {"resident_id": resident_id} | APPLICATION)
    return inquiry.step(outcome, BACK, {"scan_blob_id": inquiry.base.scan(seal_text)})


def certificate_text(product, counter: CounterDriver, resident_id: str, number: str) -> str:
    ensure_office_seal(product)
    outcome = counter.issue(resident_id, number)
    [issued] = counter.certificates_of_instance(outcome.instance_id)
    with product.session_factory() as session:
        pdf = get_blob(session, issued.blob_sha256).data
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def registered_record(product, resident_id: str) -> Registration:
    with product.session_factory() as session:
        return records.active_registration_of(session, resident_id)


def registration_entry(product, record: Registration) -> HistoryEntry:
    with product.session_factory() as session:
        return session.scalars(select(HistoryEntry).where(HistoryEntry.registration_id == record.id,
                                                          HistoryEntry.reason == "登録")).one()


# ---- the three content refusals ---------------------------------------------------------------------------------
@pytest.mark.parametrize("flow", ["4.1.2", "4.1.4"])
@pytest.mark.parametrize("code", list(CONTENT_REFUSALS))
def test_a_content_refusal_ends_the_flow_refused_with_its_code_and_message(product, driver, inquiry, flow, code):
    resident_id = driver.fresh_resident()
    review = to_review_4_1_2(driver, resident_id) if flow == "4.1.2" else to_review_4_1_4(inquiry, resident_id)
    outcome = driver.step(review, BACK, {"impression_decision": code})
    assert inquiry.open_spec_names(outcome.instance_id) == ["task_explain_refusal"]
    label, message = CONTENT_REFUSALS[code]
    refusal = inquiry.data(outcome.instance_id)["refusal"]
    assert refusal["reason"] == code and refusal["label"] == label and message in refusal["message"]
    outcome = driver.step(outcome, COUNTER, {"explained": True})
    assert outcome.status == "completed"
    with product.session_factory() as session:
        application = session.scalars(select(Application).where(Application.instance_id == outcome.instance_id)).one()
        assert (application.kind, application.status, application.reason) == (flow, "refused", code)
        assert message in application.detail
        assert records.registrations_of(session, resident_id) == []
        stored = session.scalars(select(Impression).where(Impression.instance_id == outcome.instance_id)).all()
        assert stored == []  # nothing stored: no pending impression, no letter


def test_the_refusal_page_explains_the_content_refusal_in_japanese(product, driver, login):
    review = to_review_4_1_2(driver, driver.fresh_resident())
    outcome = driver.step(review, BACK, {"impression_decision": "impression_other_matter"})
    page = login("madoguchi").get(f"/tasks/{outcome.next_task_id or driver.open_task(outcome.instance_id)}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "氏名以外の事項を表している印影" in text and "impression_other_matter" not in text


# ---- the name the impression shows ------------------------------------------------------------------------------
def test_a_katakana_seal_of_a_foreign_resident_is_recorded_and_printed(product, driver, login):
    resident_id = fresh_foreign_resident(product)
    review = to_review_4_1_2(driver, resident_id, "カナ")
    outcome = driver.step(review, BACK, {"impression_decision": "accept", "impression_name": "katakana_name"})
    outcome = driver.step(outcome, BACK, {"card_kind": "registration_card"})
    assert driver.step(outcome, COUNTER, {"handed_over": True}).status == "completed"
    record = registered_record(product, resident_id)
    assert record.impression_name == "katakana_name" and record.katakana_name
    entry = registration_entry(product, record)
    assert "印影の表す氏名: カタカナ表記" in change_summary(entry)

    page = login("madoguchi").get(f"/residents/{resident_id}").get_data(as_text=True)
    assert "印影の表す氏名" in page and "カタカナ表記" in page and record.katakana_name in page

    text = certificate_text(product, CounterDriver(product), resident_id, record.registration_number)
    assert "カタカナ表記" in text and unspaced(record.katakana_name) in unspaced(text)


def test_an_old_surname_seal_through_4_1_4_is_recorded_and_the_certificate_shows_it(product, driver, inquiry):
    resident_id = with_old_surname(product, driver.fresh_resident(), "旧姓")
    pending = inquiry.to_answer(resident_id, impression_name="old_surname")
    assert inquiry.register(pending).status == "completed"
    record = registered_record(product, resident_id)
    assert (record.impression_name, record.old_surname) == ("old_surname", "旧姓")
    assert "印影の表す氏名: 旧氏" in change_summary(registration_entry(product, record))
    text = certificate_text(product, CounterDriver(product), resident_id, record.registration_number)
    assert "旧氏" in text and "旧姓" in text


def test_a_name_the_register_dropped_while_the_answer_was_awaited_is_a_refusal_not_an_incident(product, driver, inquiry):
    resident_id = with_old_surname(product, driver.fresh_resident(), "旧姓")
    pending = inquiry.to_answer(resident_id, impression_name="old_surname")
    with_old_surname(product, resident_id, None)  # the 旧氏 was deleted from the 住民票 meanwhile
    inquiry.answer(pending)
    outcome = inquiry.bring_seal(pending)
    assert outcome.incident_id is None and outcome.status == "running"
    with product.session_factory() as session:
        [task] = open_tasks_of_instance(session, pending.instance_id)
        assert task.spec_name == "task_explain_refusal"
        assert records.active_registration_of(session, resident_id) is None
        assert session.scalar(select(Impression).where(Impression.instance_id == pending.instance_id)) is None
        refusal = instance_detail(session, product.specs, pending.instance_id).data["refusal"]
    assert refusal["reason"] == "impression_name_not_recorded" and "旧氏" in refusal["message"]


def test_a_full_name_seal_does_not_print_the_katakana_name(product, driver):
    resident_id = fresh_foreign_resident(product)
    review = to_review_4_1_2(driver, resident_id, "名前")
    outcome = driver.step(review, BACK, {"impression_decision": "accept", "impression_name": "full_name"})
    outcome = driver.step(outcome, BACK, {"card_kind": "registration_card"})
    driver.step(outcome, COUNTER, {"handed_over": True})
    record = registered_record(product, resident_id)
    text = certificate_text(product, CounterDriver(product), resident_id, record.registration_number)
    assert record.impression_name == "full_name" and "カタカナ表記" not in text


def test_the_api_record_carries_the_shown_name(product, driver, client, api_token):
    resident_id = driver.fresh_resident()
    outcome = driver.step(to_review_4_1_2(driver, resident_id), BACK,
                          {"impression_decision": "accept", "impression_name": "surname"})
    outcome = driver.step(outcome, BACK, {"card_kind": "registration_card"})
    driver.step(outcome, COUNTER, {"handed_over": True})
    number = registered_record(product, resident_id).registration_number
    body = Api(client, api_token("madoguchi")).get("/registrations/{number}", number=number)
    assert (body["impression_name"], body["impression_name_label"]) == ("surname", "氏")


# ---- refused shown names: 4xx, nothing written ------------------------------------------------------------------
@pytest.mark.parametrize(("flow", "shown", "code"), [
    ("4.1.2", "katakana_name", "impression_name_not_recorded"),  # a Japanese national
    ("4.1.4", "katakana_name", "impression_name_not_recorded"),
    ("4.1.2", "old_surname", "impression_name_not_recorded"),  # no 旧氏 on the 住民票
    ("4.1.2", "common_name", "impression_name_not_recorded"),  # no 通称 on the 住民票
])
def test_a_shown_name_the_register_does_not_record_is_refused(product, driver, inquiry, flow, shown, code):
    resident_id = driver.fresh_resident()
    review = to_review_4_1_2(driver, resident_id) if flow == "4.1.2" else to_review_4_1_4(inquiry, resident_id)
    task_id = driver.open_task(review.instance_id)
    with pytest.raises(FormCheckRefused) as refused:
        driver.runner.complete(task_id, BACK, {"impression_decision": "accept", "impression_name": shown})
    assert refused.value.code == code and refused.value.http_status == 422
    assert "選べません" in refused.value.errors["impression_name"]
    with product.session_factory() as session:
        assert [t.id for t in open_tasks_of_instance(session, review.instance_id)] == [task_id]  # still open
        assert session.scalars(select(Impression).where(Impression.instance_id == review.instance_id)).all() == []


def test_accept_without_the_shown_name_is_refused_by_the_form_rule(driver):
    review = to_review_4_1_2(driver, driver.fresh_resident())
    with pytest.raises(FormInvalid) as refused:
        driver.step(review, BACK, {"impression_decision": "accept"})
    assert refused.value.code == "invalid_form" and "必須" in refused.value.errors["impression_name"]


def test_the_api_answers_422_with_the_code_and_the_field(driver, client, api_token):
    review = to_review_4_1_2(driver, driver.fresh_resident())
    task_id = driver.open_task(review.instance_id)
    body = Api(client, api_token("backyard")).post(
        "/tasks/{task_id}/complete", 422, task_id=task_id,
        json={"data": {"impression_decision": "accept", "impression_name": "katakana_name"}})
    assert body["error"] == "impression_name_not_recorded"
    assert "外国人住民" in body["message"] and "impression_name" in body["errors"]


def test_the_task_page_offers_only_the_names_the_register_records(product, driver, login):
    japanese = to_review_4_1_2(driver, with_old_surname(product, driver.fresh_resident()))
    foreign = to_review_4_1_2(driver, fresh_foreign_resident(product), "外国")
    clerk = login("backyard")
    page = clerk.get(f"/tasks/{driver.open_task(japanese.instance_id)}").get_data(as_text=True)
    assert 'name="impression_name" value="old_surname"' in page and 'value="full_name"' in page
    assert 'value="katakana_name"' not in page and 'value="common_name"' not in page
    assert 'value="impression_deformable"' in page and "ゴム印その他の印影を変えやすい印" in page
    page = clerk.get(f"/tasks/{driver.open_task(foreign.instance_id)}").get_data(as_text=True)
    assert 'name="impression_name" value="katakana_name"' in page and 'value="old_surname"' not in page

    response = clerk.post(f"/tasks/{driver.open_task(japanese.instance_id)}",
                          data={"impression_decision": "accept", "impression_name": "katakana_name"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "カタカナ表記は、住民票にカタカナ表記が記載されている外国人住民だけ" in text


# ---- the engine's formCheck property ----------------------------------------------------------------------------
def test_a_form_check_naming_no_handler_is_refused_at_deploy():
    xml, forms = read_definition_files(DATA / "mini.bpmn")
    form = '<spiffworkflow:property name="formJsonSchemaFilename" value="mini.check.json" />'
    xml = xml.replace(form, form + '\n<spiffworkflow:property name="formCheck" value="inkan.no_such_check" />')
    with pytest.raises(DefinitionError) as refused:
        parse_definition(xml, forms, mini_handlers(Flaky()), source="mini.bpmn")
    assert any("formCheck" in p["message"] and "inkan.no_such_check" in p["message"] for p in refused.value.problems)


# ---- migration 0023 ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_migration_0023_adds_the_column_and_keeps_older_records_unrecorded(kind, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}" if kind == "sqlite" else _create_pg_database()
    try:
        command.upgrade(alembic_config(url), "0019")
        _insert_records(url, [("00000011", "registered", None)])
        command.upgrade(alembic_config(url), "0023")
        engine = create_engine(url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT impression_name FROM registration")).all() == [(None,)]
        engine.dispose()
        command.downgrade(alembic_config(url), "0019")
        assert "impression_name" not in {c["name"] for c in inspect(create_engine(url)).get_columns("registration")}
    finally:
        if kind == "postgresql":
            _drop_pg_database(url)
