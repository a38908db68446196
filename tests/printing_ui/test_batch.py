"""Batch printing: queued 抹消通知書 become ONE PDF with progress; a cancel leaves every item queued."""

from __future__ import annotations

import io
import time

import pytest
from pypdf import PdfReader

from handlers import build_registry
from handlers.base import HandlerError
from handlers.environment import Operator
from handlers.operators.print_queue import enqueue
from handlers.services.batch import progress_of, request_cancel, run_batch, start_batch
from registry.documents.models import PrintBatchJob, PrintQueueItem
from registry.seals import records
from tests.printing_ui.conftest import (
    audit_events,
    close_registration,
    compact,
    page_count,
    pdf_text,
    service_context,
)
from tests.support.pdfa import assert_pdfa_2b

CLERK = Operator("backyard", "backyard")


def queue_deletion_notices(product, driver, count: int) -> list[tuple[int, str]]:
    """Register and 抹消 ``count`` people and queue their 抹消通知書 as 4.2.2 does; [(item id, name)]."""
    queued = []
    for _ in range(count):
        registered = driver.registered_person()
        registration_id = close_registration(product, registered.registration_number)
        with product.session_factory.begin() as session:
            result = enqueue(service_context(session, product, registered.instance_id), "deletion_notice",
                             registration_id=registration_id)
            queued.append((result["queue_item_id"], records.get_registration(session, registration_id).name))
    return queued


def items(product, ids) -> list[PrintQueueItem]:
    with product.session_factory() as session:
        return [session.get(PrintQueueItem, item_id) for item_id in ids]


def test_the_operator_is_registered_with_its_document_parameter():
    handler = build_registry().get("inkan.print.enqueue")
    assert [(p.name, p.required) for p in handler.parameters][:2] == [("document", True), ("registration_id", False)]


def test_enqueue_is_idempotent_and_refuses_an_active_registration(product, driver):
    (item_id, _), = queue_deletion_notices(product, driver, 1)
    with product.session_factory.begin() as session:
        item = session.get(PrintQueueItem, item_id)
        again = enqueue(service_context(session, product, item.instance_id), "deletion_notice",
                        registration_id=item.registration_id)
    assert again == {"queue_item_id": item_id, "already_queued": True}
    active = driver.registered_person()
    with product.session_factory.begin() as session, pytest.raises(HandlerError) as refused:
        record = records.registration_by_number(session, active.registration_number)
        enqueue(service_context(session, product, active.instance_id), "deletion_notice", registration_id=record.id)
    assert refused.value.code == "registration_not_closed"
    with product.session_factory.begin() as session, pytest.raises(HandlerError) as unknown:
        enqueue(service_context(session, product, active.instance_id), "birthday_card")
    assert unknown.value.code == "unknown_document"


def test_a_batch_prints_every_queued_notice_into_one_pdf(product, driver):
    queued = queue_deletion_notices(product, driver, 3)
    with product.session_factory.begin() as session:
        job_id = start_batch(session, "deletion_notice", queued_on=None, actor=CLERK)
    seen = []
    result = run_batch(product.session_factory, product.services, job_id, actor=CLERK,
                       on_progress=lambda done, total: seen.append((done, total)))
    assert result.status == "done" and result.done == result.total >= 3
    assert seen == [(n, result.total) for n in range(1, result.total + 1)]
    with product.session_factory() as session:
        job = session.get(PrintBatchJob, job_id)
        from registry.blobs.store import get_blob

        pdf = get_blob(session, job.blob_sha256).data
    assert page_count(pdf) == result.total
    assert_pdfa_2b(pdf)  # the batch file too: PDF/A-2b, every font embedded
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info.title == "一括印刷 抹消通知書" and info.subject.startswith(f"抹消通知書 {result.total}件")
    text = pdf_text(pdf)
    assert text.count("印鑑登録抹消通知書") == result.total
    assert all(compact(name) in text for _, name in queued)
    for item in items(product, [item_id for item_id, _ in queued]):
        assert item.status == "printed" and item.batch_job_id == job_id and item.printed_at and item.blob_sha256
        with product.session_factory() as session:
            kinds = [d.kind for d in records.documents_of(session, item.registration_id)]
        assert "抹消通知書" in kinds
    event = audit_events(product, "print_batch")[-1]
    assert event["job_id"] == job_id and event["status"] == "done"
    assert {item_id for item_id, _ in queued} <= set(event["printed"])


def test_cancel_between_documents_leaves_everything_queued(product, driver):
    queued = queue_deletion_notices(product, driver, 3)
    with product.session_factory.begin() as session:
        job_id = start_batch(session, "deletion_notice", queued_on=None, actor=CLERK)
    result = run_batch(product.session_factory, product.services, job_id, actor=CLERK,
                       should_stop=lambda: progress(product, job_id).done >= 2)
    assert result.status == "cancelled" and result.done == 2 and result.blob_sha256 is None
    for item in items(product, [item_id for item_id, _ in queued]):
        assert item.status == "queued" and item.batch_job_id is None and item.printed_at is None
    assert audit_events(product, "print_batch")[-1] | {"status": "cancelled"} == audit_events(product,
                                                                                                "print_batch")[-1]


def test_a_cancel_request_stops_the_job_before_the_next_document(product, driver):
    queue_deletion_notices(product, driver, 1)
    with product.session_factory.begin() as session:
        job_id = start_batch(session, "deletion_notice", queued_on=None, actor=CLERK)
    with product.session_factory.begin() as session:
        assert request_cancel(session, job_id) is True
    result = run_batch(product.session_factory, product.services, job_id, actor=CLERK)
    assert result.status == "cancelled" and result.done == 0
    with product.session_factory.begin() as session:
        assert request_cancel(session, job_id) is False  # already finished


def test_nothing_queued_is_refused(product):
    with product.session_factory.begin() as session, pytest.raises(HandlerError) as refused:
        start_batch(session, "inquiry_letter", queued_on=product.services.today().replace(year=2001), actor=CLERK)
    assert refused.value.code == "nothing_queued" and "印刷待ち" in refused.value.message


def progress(product, job_id):
    with product.session_factory() as session:
        return progress_of(session, job_id)


def test_the_page_starts_a_job_whose_progress_is_polled(login, product, driver):
    queue_deletion_notices(product, driver, 2)
    client = login("backyard")
    queue_page = client.get("/print").get_data(as_text=True)
    assert "印刷待ちの帳票" in queue_page and "抹消通知書" in queue_page
    response = client.post("/print/batches", data={"document": "deletion_notice"})
    assert response.status_code == 302
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<progress" in job_page and "取り消す" in job_page
    status_url = response.headers["Location"] + "/status"
    deadline = time.monotonic() + 120  # the background thread's pace is not what is tested
    status = client.get(status_url).get_json()
    while not status["finished"] and time.monotonic() < deadline:
        time.sleep(0.2)
        status = client.get(status_url).get_json()
    assert status["status"] == "done" and status["done"] == status["total"] >= 2
    pdf = client.get(status["pdf_url"])
    assert pdf.headers["Content-Disposition"].startswith("inline;") and page_count(pdf.data) == status["total"]
    assert login("auditor").post("/print/batches", data={"document": "deletion_notice"}).status_code == 403


def test_bad_batch_requests_are_refused_in_japanese(login):
    client = login("backyard")
    bad_date = client.post("/print/batches", data={"document": "deletion_notice", "queued_on": "2026-13-40"})
    assert bad_date.status_code == 422 and "YYYY-MM-DD" in bad_date.get_data(as_text=True)
    unknown = client.post("/print/batches", data={"document": "birthday_card"})
    assert unknown.status_code == 422
    assert client.get("/print/batches/987654").status_code == 404


def test_an_inquiry_letter_is_queued_with_what_it_needs_to_print(product, driver):
    from datetime import timedelta

    from handlers.operators.print_queue import render_item
    from registry.seals.models import Application

    resident_id = driver.fresh_resident()
    started = driver.start(resident_id)
    with product.session_factory.begin() as session:
        application = Application(instance_id=started.instance_id, kind="4.1.4", resident_id=resident_id,
                                  status="inquiring", operator="madoguchi")
        session.add(application)
        session.flush()
        deadline = (product.services.today() + timedelta(days=30)).isoformat()
        result = enqueue(service_context(session, product, started.instance_id), "inquiry_letter",
                         inquiry_number="S0000042-7", answer_deadline=deadline)
        item = session.get(PrintQueueItem, result["queue_item_id"])
        assert item.application_id == application.id and item.registration_id is None
        text = pdf_text(render_item(item, product.services.office(session), product.services.today()))
        name = product.juki(session).get_resident(resident_id).name
        with pytest.raises(HandlerError) as refused:
            enqueue(service_context(session, product, started.instance_id), "inquiry_letter",
                    inquiry_number="S1", answer_deadline="next week")
    assert "S0000042-7" in text and compact(name) in text and "照会書" in text
    assert refused.value.code == "invalid_answer_deadline"
