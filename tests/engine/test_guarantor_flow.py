"""4.1.2 with a 保証書 (issue 18 point 3): who may vouch, how often, the stamp compared three ways, and the
guarantor's number on the new 原票 — through the real engine and handlers, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from engine.errors import FormInvalid
from engine.runtime.queries import get_task, instance_detail
from handlers.casework import suspend_directly
from handlers.services.history_labels import change_summary
from registry.seals import records
from registry.seals.abolition import abolish_record
from registry.seals.guarantees import accept_guarantee
from registry.seals.models import Application, Guarantee, Registration
from tests.support.flow import BACK, COUNTER, IDENTIFY, Registered

GUARANTOR_SEAL = "登録"  # the seal the factory registers people with
UNSURE_SEAL = "登緑"  # one stroke off: scores between the default thresholds (要確認)
OTHER_SEAL = "別印"


class GuaranteeDriver:
    """4.1.2 up to and through the 保証書 check, for an applicant nobody registered yet."""

    def __init__(self, driver, product):
        self.driver, self.product = driver, product

    def vouch(self, guarantor: Registered, stamp_text: str = GUARANTOR_SEAL, applicant: str | None = None):
        applicant = applicant or self.driver.fresh_resident()
        outcome = self.driver.start(applicant)
        outcome = self.driver.step(outcome, COUNTER, {"resident_id": applicant} | IDENTIFY)
        return applicant, self.driver.step(outcome, COUNTER, {
            "applicant": "self", "identity_path": "guarantee",
            "guarantor_registration_number": guarantor.registration_number,
            "guarantor_stamp_blob_id": self.driver.scan(stamp_text, size_mm=15.0)})

    def data(self, instance_id: int) -> dict:
        with self.product.session_factory() as session:
            return instance_detail(session, self.product.specs, instance_id).data

    def finish(self, outcome):
        """From the 4.1.5.1 scan to the handover: the applicant registered."""
        for actor, values in ((BACK, {"scan_blob_id": self.driver.scan("本人", size_mm=15.0)}),
                              (BACK, {"impression_decision": "accept", "impression_name": "full_name"}),
                              (BACK, {"card_kind": "registration_card"}),
                              (COUNTER, {"handed_over": True})):
            outcome = self.driver.step(outcome, actor, values)
        assert outcome.status == "completed", outcome
        return outcome

    def guarantees(self, guarantor: Registered) -> list[Guarantee]:
        with self.product.session_factory() as session:
            return list(session.scalars(select(Guarantee).where(
                Guarantee.guarantor_number == guarantor.registration_number).order_by(Guarantee.id)))

    def application(self, instance_id: int) -> Application:
        with self.product.session_factory() as session:
            return records.application_of_instance(session, instance_id)


@pytest.fixture
def vouching(driver, product) -> GuaranteeDriver:
    return GuaranteeDriver(driver, product)


@pytest.fixture
def guarantor(driver) -> Registered:
    return driver.registered_person(seal_text=GUARANTOR_SEAL, size_mm=15.0)


def assert_refused(vouching, outcome, code: str, message: str) -> dict:
    """The 保証書 refused with `code`: no guarantee, the application referred to 4.1.4 with the reason."""
    data = vouching.data(outcome.instance_id)
    assert data["guarantor"]["valid"] is False and data["guarantor"]["reason"] == code
    assert message in data["guarantor"]["message"]
    assert data["referral"]["reason"] == "guarantor_invalid" and message in data["referral"]["message"]
    application = vouching.application(outcome.instance_id)
    assert application.status == "referred" and message in application.detail
    assert vouching.data(data["referral"]["continue_with"]["instance_id"])["note"] == data["guarantor"]["message"]
    return data


def test_a_same_stamp_is_accepted_and_the_guarantor_goes_into_the_new_records_history(vouching, guarantor, product):
    applicant, outcome = vouching.vouch(guarantor)
    data = vouching.data(outcome.instance_id)
    assert data["guarantor"]["valid"] is True and data["guarantor"]["verdict"] == "same"
    assert data["guarantor"]["score"] >= product.services.settings.similarity_same
    assert "保証書を受理しました" in data["guarantor"]["message"]
    with product.session_factory() as session:
        assert get_task(session, vouching.driver.open_task(outcome.instance_id)).spec_name == "task_scan"
    vouching.finish(outcome)
    [guarantee] = vouching.guarantees(guarantor)
    assert (guarantee.resident_id, guarantee.stamp_verdict, guarantee.decided_by) == (applicant, "same", None)
    with product.session_factory() as session:
        record = records.active_registration_of(session, applicant)
        entry = next(e for e in records.history_of(session, record.id) if e.reason == "登録")
        assert json.loads(entry.after_json)["guarantor_registration_number"] == guarantor.registration_number
        assert change_summary(entry) == (f"登録番号 {record.registration_number}、印影の表す氏名: 氏名、"
                                         f"保証人の登録番号（保証書）: {guarantor.registration_number}")
        assert record.identity_path == "guarantee"


def test_a_suspended_guarantor_is_refused(vouching, guarantor, product):
    with product.session_factory.begin() as session:
        suspend_directly(session, product.services, guarantor.resident_id)
    _, outcome = vouching.vouch(guarantor)
    assert_refused(vouching, outcome, "guarantor_suspended", "一時停止（6.2.1）されているため、保証人になれません")
    assert vouching.guarantees(guarantor) == []


def test_a_closed_guarantor_is_refused(vouching, guarantor, product):
    with product.session_factory.begin() as session:
        record = records.registration_by_number(session, guarantor.registration_number)
        abolish_record(session, record, reason="廃止の申請", effective=product.services.today(), operator="test",
                       instance_id=None, card_collected=True)
    _, outcome = vouching.vouch(guarantor)
    assert_refused(vouching, outcome, "guarantor_closed", "保証人の印鑑登録は廃止されているため、保証人になれません")


def test_a_different_stamp_is_refused_and_nothing_is_accepted(vouching, guarantor):
    _, outcome = vouching.vouch(guarantor, OTHER_SEAL)
    data = assert_refused(vouching, outcome, "guarantor_stamp_different", "保証書の押印が保証人の登録印影と一致しません")
    assert data["guarantor"]["verdict"] == "different" and data["guarantor"]["overlay_blob_id"]
    assert vouching.guarantees(guarantor) == []


def test_one_guarantor_vouches_for_one_person_a_day(vouching, guarantor, product):
    _, first = vouching.vouch(guarantor)
    assert vouching.data(first.instance_id)["guarantor"]["valid"] is True
    _, second = vouching.vouch(guarantor)
    assert_refused(vouching, second, "guarantor_daily_limit", "この保証人は本日すでに1人の保証をしています（1日1人まで）")
    assert len(vouching.guarantees(guarantor)) == 1


def test_the_yearly_limit_counts_the_calendar_year(vouching, guarantor, product, monkeypatch):
    monkeypatch.setattr(product.services, "settings",
                        replace(product.services.settings, guarantor_per_day=5, guarantor_per_year=2))
    today = product.services.today()
    with product.session_factory.begin() as session:
        record = records.registration_by_number(session, guarantor.registration_number)
        for instance_id, vouched_on in ((-1, date(today.year - 1, 12, 31)), (-2, date(today.year, 1, 1)),
                                        (-3, date(today.year, 1, 1))):
            accept_guarantee(session, record, instance_id=instance_id, resident_id="earlier", today=vouched_on,
                             verdict="same", score=1.0, decided_by=None, decision_reason=None, operator="test")
    _, outcome = vouching.vouch(guarantor)
    assert_refused(vouching, outcome, "guarantor_yearly_limit", "この保証人は今年すでに2人の保証をしています（1年2人まで）")


def test_an_unsure_stamp_goes_to_the_back_office_which_accepts_it_with_a_reason(vouching, guarantor, product):
    applicant, outcome = vouching.vouch(guarantor, UNSURE_SEAL)
    data = vouching.data(outcome.instance_id)
    settings = product.services.settings
    assert data["guarantor"]["verdict"] == "unsure"
    assert settings.similarity_different < data["guarantor"]["score"] < settings.similarity_same
    with product.session_factory() as session:
        task = get_task(session, vouching.driver.open_task(outcome.instance_id))
        assert (task.spec_name, task.lane) == ("task_guarantor_stamp", "バックヤード")
    assert vouching.guarantees(guarantor) == []
    reason = "重ね合わせで外枠と「登」が一致し、違いは右側のかすれの範囲"
    outcome = vouching.driver.step(outcome, BACK, {"guarantor_stamp_decision": "match",
                                                   "guarantor_stamp_reason": reason})
    assert "職員の判断で登録印と一致" in vouching.data(outcome.instance_id)["guarantee"]["message"]
    vouching.finish(outcome)
    [guarantee] = vouching.guarantees(guarantor)
    assert (guarantee.stamp_verdict, guarantee.decided_by, guarantee.decision_reason) == ("unsure", "backyard", reason)
    with product.session_factory() as session:
        record = session.scalars(select(Registration).where(Registration.resident_id == applicant)).one()
        entry = records.history_of(session, record.id)[0]
        assert json.loads(entry.after_json)["guarantor_registration_number"] == guarantor.registration_number


def test_an_unsure_stamp_the_clerk_finds_different_is_refused(vouching, guarantor):
    _, outcome = vouching.vouch(guarantor, UNSURE_SEAL)
    outcome = vouching.driver.step(outcome, BACK, {"guarantor_stamp_decision": "mismatch",
                                                   "guarantor_stamp_reason": "右側の字画が登録印と違う"})
    data = vouching.data(outcome.instance_id)
    assert data["referral"]["reason"] == "guarantor_invalid"
    assert "保証書の押印は保証人の登録印と一致しない（職員の判断）" in vouching.application(outcome.instance_id).detail
    assert vouching.guarantees(guarantor) == []


def test_the_clerks_decision_needs_a_reason(vouching, guarantor, product):
    _, outcome = vouching.vouch(guarantor, UNSURE_SEAL)
    task_id = vouching.driver.open_task(outcome.instance_id)
    with pytest.raises(FormInvalid):
        product.runner.complete(task_id, BACK, {"guarantor_stamp_decision": "match", "guarantor_stamp_reason": "  "})
    with product.session_factory() as session:
        assert get_task(session, task_id).is_open
