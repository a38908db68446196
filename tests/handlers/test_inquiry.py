"""4.1.4 handlers and rules on their own: the 照会番号, the configurable deadline, the answer checks."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from handlers.base import HandlerError, ServiceContext
from handlers.environment import JST
from handlers.operators import shoukai_touroku as inquiry
from registry.seals import records
from registry.seals.models import Application
from webui.config import ConfigurationError, check_config, defaults


@pytest.mark.parametrize("application_id", [1, 42, 1234567])
def test_inquiry_numbers_round_trip_in_any_typing(application_id):
    number = records.inquiry_number(application_id)
    assert number.startswith("S") and len(number) == 10
    typed = [number, number.lower(), number.replace("-", ""), number[1:], "ｓ" + number[1:].replace("-", "ー")]
    assert {records.parse_inquiry_number(t) for t in typed} == {application_id}


def test_a_wrong_check_digit_or_junk_finds_nothing():
    number = records.inquiry_number(77)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert [records.parse_inquiry_number(t) for t in (wrong, "", "S", "S-ABC", "<script>", "9" * 40)] == [None] * 6


@pytest.mark.parametrize("application_id", [1, 42, 1234567])
def test_the_printed_number_carries_a_random_part_found_in_any_typing(application_id):
    application = Application(id=application_id, check_code=records.new_check_code())
    printed = records.printed_inquiry_number(application)
    assert printed == f"{records.inquiry_number(application_id)}-{application.check_code}"
    typed = [printed, printed.lower(), printed.replace("-", ""), printed[1:], "ｓ" + printed[1:].replace("-", "ー")]
    for text in typed:
        split = records.split_inquiry_number(text)
        assert (split.application_id, split.check_code) == (application_id, application.check_code)
        assert records.check_code_matches(application, split) and records.parse_inquiry_number(text) == application_id
    reference = records.split_inquiry_number(records.inquiry_number(application_id))
    assert reference.check_code is None and not records.check_code_matches(application, reference)
    assert records.split_inquiry_number(printed).masked() == records.inquiry_number(application_id) + "-******"


def test_random_parts_differ_and_never_hold_letters_read_as_digits():
    codes = {records.new_check_code() for _ in range(200)}
    assert len(codes) == 200 and not any(set(code) & set("IO0123456789") for code in codes)


def test_an_application_issued_before_the_random_part_needs_none():
    legacy = Application(id=5, check_code=None)
    assert records.printed_inquiry_number(legacy) == records.inquiry_number(5)
    assert records.check_code_matches(legacy, records.split_inquiry_number(records.inquiry_number(5)))


@pytest.mark.parametrize("days", [-1, 31])
def test_the_configuration_refuses_a_minimum_wait_out_of_range(days, tmp_path):
    config = defaults(str(tmp_path)) | {"INQUIRY_MIN_WAIT_DAYS": days}
    with pytest.raises(ConfigurationError, match="INKAN_INQUIRY_MIN_WAIT_DAYS"):
        check_config(config)


def _context(product, session, days: int, instance_id: int) -> ServiceContext:
    settings = dataclasses.replace(product.services.settings, inquiry_deadline_days=days)
    return ServiceContext(session=session, actor="tester", instance_id=instance_id, task_name="svc_issue",
                          services=dataclasses.replace(product.services, settings=settings))


def test_the_deadline_comes_from_the_settings_and_ends_at_midnight(product, driver):
    resident_id = driver.fresh_resident()
    with product.session_factory() as session:
        ctx = _context(product, session, 10, instance_id=2_000_000_001)
        issued = inquiry.issue(ctx, resident_id, impression_id=1, applicant="self")
        deadline = ctx.today() + timedelta(days=10)
        assert issued["deadline"] == deadline.isoformat() and issued["deadline_days"] == 10
        assert datetime.fromisoformat(issued["deadline_at"]) == datetime.combine(
            deadline + timedelta(days=1), datetime.min.time(), tzinfo=JST)
        assert records.application_by_inquiry_number(session, issued["inquiry_number"]).status == "inquiring"
        late = (datetime.now(JST) - timedelta(minutes=1)).isoformat()
        checked = inquiry.check_answer(ctx, issued["application_id"], issued["inquiry_number"], late, "applied",
                                       bearer="self", bearer_identity_checked=True)
        assert (checked["outcome"], checked["reason"]) == ("refused", "deadline_passed")
        session.rollback()


@pytest.mark.parametrize(("given", "days"), [(14, 14), ("14", 14), (" 365 ", 365), (None, 10), ("", 10)])
def test_the_definitions_deadline_days_wins_over_the_setting(product, given, days):
    with product.session_factory() as session:
        ctx = _context(product, session, 10, instance_id=2_000_000_002)
        assert inquiry.answer_deadline_days(ctx, given) == days


@pytest.mark.parametrize("given", [0, 366, -5, "0", "１４", "14日", 14.0, True, "abc", [14]])
def test_a_deadline_days_that_is_not_an_integer_1_to_365_is_refused_before_anything_is_written(product, driver,
                                                                                               given):
    resident_id = driver.fresh_resident()
    with product.session_factory() as session:
        ctx = _context(product, session, 10, instance_id=2_000_000_003)
        with pytest.raises(HandlerError, match="1〜365の整数") as refused:
            inquiry.issue(ctx, resident_id, impression_id=1, applicant="self", deadline_days=given)
        assert refused.value.code == "invalid_deadline_days"
        assert records.application_of_instance(session, 2_000_000_003) is None


@pytest.mark.parametrize("days", [0, 366])
def test_the_configuration_refuses_a_deadline_out_of_range(days, tmp_path):
    config = defaults(str(tmp_path)) | {"INQUIRY_DEADLINE_DAYS": days}
    with pytest.raises(ConfigurationError, match="INKAN_INQUIRY_DEADLINE_DAYS"):
        check_config(config)
