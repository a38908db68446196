"""Issue 18.2: the 4.1.4.6 回答書 counts only through the mailed letter — printed, marked mailed, the minimum wait
passed (INKAN_INQUIRY_MIN_WAIT_DAYS, default the next day), with the 照会番号's random part printed only on the
letter. Every other answer is refused with a Japanese reason, kept as a possible fraud attempt and audited."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.models import AuditEvent
from registry.documents import queue
from registry.seals import records
from registry.seals.models import AnswerRefusal
from tests.support.flow import COUNTER
from tests.support.inquiry_flow import InquiryDriver, Pending, print_queued_letters


@pytest.fixture
def inquiry(product, clock) -> InquiryDriver:
    return InquiryDriver(product, clock)


def refusal_of(inquiry: InquiryDriver, pending: Pending) -> dict:
    return inquiry.data(pending.instance_id)["answer_refusal"]


def kept_refusals(product, pending: Pending) -> list[AnswerRefusal]:
    with product.session_factory() as session:
        return list(session.scalars(select(AnswerRefusal).where(AnswerRefusal.application_id ==
                                                                pending.application_id).order_by(AnswerRefusal.id)))


def suspicious_events(product, pending: Pending) -> list[dict]:
    with product.session_factory() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == pending.instance_id,
                                                          AuditEvent.kind == "inquiry_answer_suspicious"))
        return [json.loads(e.summary_json) for e in events]


def refused_again(inquiry: InquiryDriver, pending: Pending, reason: str, **answer) -> dict:
    """Answer, expect the refusal `reason`, explain it: the answer task is open again."""
    outcome = inquiry.answer(pending, **answer)
    refusal = refusal_of(inquiry, pending)
    assert refusal["reason"] == reason, refusal
    inquiry.step(outcome, COUNTER, {"explained": True})
    assert inquiry.open_spec_names(pending.instance_id) == ["task_answer"]
    return refusal


def test_the_printed_mailed_letter_after_the_wait_with_its_full_number_is_accepted(inquiry, product):
    pending = inquiry.to_answer()
    assert pending.printed_number.startswith(pending.inquiry_number + "-")
    code = pending.printed_number.rsplit("-", 1)[1]
    assert len(code) == 6 and code.isalpha() and not set(code) & set("IO")
    data = inquiry.data(pending.instance_id)
    assert code not in json.dumps(data, ensure_ascii=False)  # pages and task data show the reference number only
    with product.session_factory() as session:
        letter = queue.letter_of_application(session, pending.application_id)
        wait = timedelta(days=product.services.settings.inquiry_min_wait_days)
        assert letter.status == "printed" and letter.mailed_on == product.services.today() - wait
        assert pending.printed_number in letter.payload_json  # the letter (and its QR code) print it
    outcome = inquiry.answer(pending)
    assert inquiry.data(outcome.instance_id)["answer_check"]["outcome"] == "accepted"
    assert inquiry.open_spec_names(pending.instance_id) == ["task_scan_answer"]
    assert kept_refusals(product, pending) == [] and suspicious_events(product, pending) == []


def test_an_answer_for_an_unprinted_letter_is_refused_and_kept_as_possible_fraud(inquiry, product):
    pending = inquiry.to_answer(mailed=False)
    refusal = refused_again(inquiry, pending, "letter_not_printed")
    assert "照会書がまだ郵送されていません" in refusal["message"]
    kept, = kept_refusals(product, pending)
    assert (kept.reason, kept.resident_id, kept.instance_id) == ("letter_not_printed", pending.resident_id,
                                                                 pending.instance_id)
    assert kept.typed_number == pending.inquiry_number + "-******"  # the random part is never kept
    event, = suspicious_events(product, pending)
    assert event["reason"] == "letter_not_printed" and event["typed_number"] == kept.typed_number
    assert inquiry.application(pending.instance_id).status == "inquiring"


def test_a_printed_letter_not_marked_mailed_is_refused(inquiry, product):
    pending = inquiry.to_answer(mailed=False)
    print_queued_letters(product)
    refusal = refused_again(inquiry, pending, "letter_not_mailed")
    assert refusal["label"] == "照会書がまだ郵送されていません"
    assert [r.reason for r in kept_refusals(product, pending)] == ["letter_not_mailed"]


def test_an_answer_the_day_of_mailing_is_too_early_and_counts_the_next_day(inquiry, product, clock):
    pending = inquiry.to_answer(mailed=False)
    inquiry.mail(pending, wait=False)
    today = product.services.today()
    refusal = refused_again(inquiry, pending, "answer_too_early")
    assert today.isoformat() in refusal["message"] and "1日を経過していない" in refusal["message"]
    clock.advance(days=1)
    inquiry.answer(pending)
    assert inquiry.open_spec_names(pending.instance_id) == ["task_scan_answer"]
    assert [r.reason for r in kept_refusals(product, pending)] == ["answer_too_early"]


def test_the_minimum_wait_is_a_setting(inquiry, product, clock, monkeypatch):
    settings = dataclasses.replace(product.services.settings, inquiry_min_wait_days=3)
    monkeypatch.setattr(product.services, "settings", settings)
    pending = inquiry.to_answer(mailed=False)
    inquiry.mail(pending, wait=False)
    clock.advance(days=2)
    assert "3日を経過していない" in refused_again(inquiry, pending, "answer_too_early")["message"]
    clock.advance(days=1)
    inquiry.answer(pending)
    assert inquiry.open_spec_names(pending.instance_id) == ["task_scan_answer"]


@pytest.mark.parametrize("typed", ["reference", "wrong_code", "short_code"])
def test_the_sequential_number_alone_or_a_wrong_random_part_is_refused(inquiry, product, typed):
    pending = inquiry.to_answer()
    code = pending.printed_number.rsplit("-", 1)[1]
    other = "".join("B" if c != "B" else "C" for c in code)
    number = {"reference": pending.inquiry_number, "wrong_code": f"{pending.inquiry_number}-{other}",
              "short_code": pending.printed_number[:-1]}[typed]
    refusal = refused_again(inquiry, pending, "check_code_mismatch", inquiry_number=number)
    assert "照会番号が照会書の記載と一致しません" in refusal["message"]
    kept, = kept_refusals(product, pending)
    assert code not in kept.typed_number and kept.typed_number.startswith(pending.inquiry_number)
    inquiry.answer(pending)  # the full printed number still works afterwards
    assert inquiry.open_spec_names(pending.instance_id) == ["task_scan_answer"]


def test_the_printed_number_is_accepted_however_it_is_typed(inquiry):
    pending = inquiry.to_answer()
    typed = "ｓ" + pending.printed_number[1:].lower().replace("-", " ")
    inquiry.answer(pending, inquiry_number=typed)
    assert inquiry.open_spec_names(pending.instance_id) == ["task_scan_answer"]


def test_a_did_not_apply_answer_is_never_held_back_by_the_mail_check(inquiry, product):
    pending = inquiry.to_answer(mailed=False)
    outcome = inquiry.answer(pending, inquiry_number=pending.inquiry_number, answer="not_applied", bearer=None,
                             bearer_identity_checked=None)
    assert inquiry.open_spec_names(outcome.instance_id) == ["task_fraud_alert"]
    assert kept_refusals(product, pending) == []


def test_a_mistyped_reference_is_a_typing_error_not_a_fraud_suspicion(inquiry, product):
    pending = inquiry.to_answer()
    wrong = records.inquiry_number(pending.application_id + 1)
    refused_again(inquiry, pending, "inquiry_number_mismatch", inquiry_number=wrong)
    assert kept_refusals(product, pending) == []
