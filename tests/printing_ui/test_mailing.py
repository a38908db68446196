"""Issue 18.2: a clerk records that printed 照会書兼回答書 were mailed — on the /print page, through the API and with
`inkan print mailed` — audited per letter; unprinted, already mailed, future or pre-print dates are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.base import HandlerError
from handlers.services.mailing import mark_mailed
from registry.documents import queue
from registry.documents.models import PrintQueueItem
from tests.printing_ui.conftest import CLERK, audit_events
from tests.support.inquiry_flow import InquiryDriver, Pending, print_queued_letters


@pytest.fixture
def inquiry(product) -> InquiryDriver:
    return InquiryDriver(product)


def letter_id(product, pending: Pending) -> int:
    with product.session_factory() as session:
        return queue.letter_of_application(session, pending.application_id).id


def letter(product, item_id: int) -> PrintQueueItem:
    with product.session_factory() as session:
        return session.get(PrintQueueItem, item_id)


def printed_letter(product, inquiry: InquiryDriver) -> int:
    pending = inquiry.to_answer(mailed=False)
    print_queued_letters(product)
    return letter_id(product, pending)


def test_the_print_page_lists_printed_letters_and_marks_the_ticked_ones_mailed(product, inquiry, login):
    first, second = printed_letter(product, inquiry), printed_letter(product, inquiry)
    clerk = login("backyard")
    page = clerk.get("/print").get_data(as_text=True)
    assert f'data-unmailed-letter="{first}"' in page and f'data-unmailed-letter="{second}"' in page
    assert "郵送の記録を待つ照会書兼回答書" in page
    done = clerk.post("/print/mailed", data={"item_id": [str(first)]}, follow_redirects=True)
    assert "1 通を郵送済みにしました" in done.get_data(as_text=True)
    assert letter(product, first).mailed_on == product.services.today()
    assert letter(product, first).mailed_by == "backyard" and letter(product, second).mailed_on is None
    assert f'data-unmailed-letter="{first}"' not in done.get_data(as_text=True)
    event = next(e for e in audit_events(product, "letter_mailed") if e["queue_item_id"] == first)
    assert event["actor"] == "backyard" and event["mailed_on"] == product.services.today().isoformat()


def test_the_page_refuses_nothing_ticked_a_future_date_and_auditors(product, inquiry, login):
    item_id = printed_letter(product, inquiry)
    clerk = login("backyard")
    nothing = clerk.post("/print/mailed", data={})
    assert nothing.status_code == 422 and "選んでください" in nothing.get_data(as_text=True)
    tomorrow = (product.services.today() + timedelta(days=1)).isoformat()
    future = clerk.post("/print/mailed", data={"item_id": [str(item_id)], "mailed_on": tomorrow})
    assert future.status_code == 422 and "未来の日付" in future.get_data(as_text=True)
    junk = clerk.post("/print/mailed", data={"item_id": ["x"], "mailed_on": "2026-13-45"})
    assert junk.status_code == 422
    assert login("auditor").post("/print/mailed", data={"item_id": [str(item_id)]}).status_code == 403
    assert letter(product, item_id).mailed_on is None


def test_an_unprinted_or_already_mailed_letter_or_a_date_before_printing_is_refused(product, inquiry):
    pending = inquiry.to_answer(mailed=False)
    unprinted = letter_id(product, pending)
    refusals = []
    for ids, day in (([unprinted], None), ([], None)):
        with product.session_factory.begin() as session, pytest.raises(HandlerError) as refused:
            mark_mailed(session, product.services, ids, mailed_on=day, actor=CLERK)
        refusals.append(refused.value.code)
    print_queued_letters(product)
    yesterday = product.services.today() - timedelta(days=1)
    with product.session_factory.begin() as session, pytest.raises(HandlerError) as early:
        mark_mailed(session, product.services, [unprinted], mailed_on=yesterday, actor=CLERK)
    with product.session_factory.begin() as session:
        mark_mailed(session, product.services, [unprinted], mailed_on=None, actor=CLERK)
    with product.session_factory.begin() as session, pytest.raises(HandlerError) as twice:
        mark_mailed(session, product.services, [unprinted], mailed_on=None, actor=CLERK)
    assert refusals + [early.value.code, twice.value.code] == ["letter_not_printed", "nothing_selected",
                                                               "mailed_before_printed", "already_mailed"]


def test_the_api_marks_a_whole_batch_job_mailed(product, inquiry, api_token, client):
    first = printed_letter(product, inquiry)
    job_id = letter(product, first).batch_job_id
    response = client.post("/api/v1/print/mailed", json={"job_id": job_id}, headers=api_token("backyard"))
    assert response.status_code == 200, response.get_json()
    assert first in response.get_json()["mailed"]
    assert response.get_json()["mailed_on"] == product.services.today().isoformat()
    assert letter(product, first).mailed_on == product.services.today()
    again = client.post("/api/v1/print/mailed", json={"item_ids": [first]}, headers=api_token("backyard"))
    assert again.status_code == 422 and again.get_json()["error"] == "already_mailed"
    for body in ({}, {"item_ids": [first], "job_id": job_id}, {"item_ids": "1"}, {"item_ids": [True]},
                 {"job_id": job_id, "mailed_on": 20261207}):
        bad = client.post("/api/v1/print/mailed", json=body, headers=api_token("backyard"))
        assert bad.status_code == 422 and bad.get_json()["error"] == "invalid_body", body
    assert client.post("/api/v1/print/mailed", json={"job_id": job_id},
                       headers=api_token("auditor")).status_code == 403


def test_the_cli_lists_letters_waiting_for_their_mailing_and_marks_them(app, product, inquiry):
    item_id = printed_letter(product, inquiry)
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["print", "queue", "--document", "inquiry_letter"])
    assert listing.exit_code == 0 and "郵送の記録待ち" in listing.output and f"{item_id:>6}" in listing.output
    both = runner.invoke(args=["print", "mailed", str(item_id), "--job", "1"])
    assert both.exit_code != 0 and "どちらか一方" in both.output
    done = runner.invoke(args=["print", "mailed", str(item_id), "--date", product.services.today().isoformat()])
    assert done.exit_code == 0 and f"#{item_id}" in done.output, done.output
    assert letter(product, item_id).mailed_by == "inkan-cli"
    again = runner.invoke(args=["print", "mailed", str(item_id)])
    assert again.exit_code == 1 and "郵送済みです" in again.output


def test_a_batch_prints_on_the_products_clock_so_the_letter_is_mailed_the_same_day(product, clock):
    # printed_at once came from the machine's clock while the mailing date comes from the product's: a batch run just
    # after local midnight (or on a product clock set to another day) refused the same day's mailing as "before
    # printing"
    clock.advance(days=-3)
    item_id = printed_letter(product, InquiryDriver(product, clock))
    assert letter(product, item_id).printed_at == clock.now.replace(tzinfo=None)
    with product.session_factory.begin() as session:
        mark_mailed(session, product.services, [item_id], mailed_on=None, actor=CLERK)
    assert letter(product, item_id).mailed_on == product.services.today()
