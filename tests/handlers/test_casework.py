"""The registry's side of the case interpreter: the direct-registration factory, applicants, and cases the world
cannot run failing with a message that says why (never a crash of the runner)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine.casework import run_case
from engine.models import AuditEvent
from handlers.casework import FACTORY, fresh_adults, register_directly
from handlers.casework.factory import SEEDED_KIND
from juki import DEMO_RESIDENTS
from registry.errors import NotEligible
from registry.seals import records
from registry.seals.models import Impression, Registration
from registry.seals.numbering import is_valid_number
from tests.support.flow import used_residents


def test_the_factory_writes_the_record_impression_card_and_history_and_audits_it(product, driver):
    resident_id = driver.fresh_resident()
    with product.session_factory.begin() as session:
        record = register_directly(session, product.services, resident_id, seal_text="工場", size_mm=18.0)
        record_id = record.id
    with product.session_factory() as session:
        record = session.get(Registration, record_id)
        resident = product.juki(session).get_resident(resident_id)
        assert (record.status, record.resident_id, record.name, record.address, record.instance_id) == \
            ("registered", resident_id, resident.name, resident.address, None)
        assert is_valid_number(record.registration_number, product.services.settings.number_format)
        assert (record.card_kind, record.card_number) == ("印鑑登録証", record.registration_number)
        history = records.history_of(session, record.id)
        assert [(e.reason, e.operator, e.instance_id) for e in history] == [
            ("登録", FACTORY.username, None), ("登録証交付", FACTORY.username, None)]
        impression = session.get(Impression, record.impression_id)
        assert impression.resident_id == resident_id and 17.0 < impression.height_mm < 19.0
        assert impression.image_blob != impression.scan_blob and impression.instance_id is None
        event = session.scalars(select(AuditEvent).where(AuditEvent.kind == SEEDED_KIND)
                                .order_by(AuditEvent.id.desc())).first()
        assert event.actor == FACTORY.username and event.instance_id is None
        assert json.loads(event.summary_json)["registration_number"] == record.registration_number


@pytest.mark.parametrize("who", ["deceased", "child_under_15", "lacks_capacity", "moved_out", "registered"])
def test_the_factory_refuses_whom_4_1_2_would_refuse(product, driver, who):
    resident_id = driver.registered_person().resident_id if who == "registered" else DEMO_RESIDENTS[who]
    with product.session_factory.begin() as session, pytest.raises(NotEligible) as refused:
        register_directly(session, product.services, resident_id)
    reasons = {"deceased": "deceased", "child_under_15": "under_15", "lacks_capacity": "lacks_capacity",
               "moved_out": "not_resident", "registered": "already_registered"}
    assert refused.value.reason == reasons[who]


def test_fresh_adults_are_unregistered_unused_and_never_demo_residents(product):
    used = used_residents(product)
    with product.session_factory() as session:
        alone = fresh_adults(session, product.services.today(), used)
        pair = fresh_adults(session, product.services.today(), used, count=2, alone=False)
        juki = product.juki(session)
        people = [juki.get_resident(r) for r in [*alone, *pair]]
        household_of_alone = juki.household_members(people[0].household_id)
        registered = set(session.scalars(select(Registration.resident_id)))
    assert set(alone + pair) <= used and not set(alone + pair) & (set(DEMO_RESIDENTS.values()) | registered)
    assert [m.resident_id for m in household_of_alone] == alone
    assert people[1].household_id == people[2].household_id and people[1].resident_id != people[2].resident_id
    assert all(p.status == "resident" and not p.lacks_capacity and p.age_on(product.services.today()) >= 20
               for p in people)


@pytest.mark.parametrize(("case", "words"), [
    ({"setup": ["no_such_setup"]}, "不明な準備 'no_such_setup'"),
    ({"applicant": "demo:nobody"}, "見本の住民 'nobody' はいません"),
    ({"steps": [["$no_such_step", "", {}]]}, "不明な手順 $no_such_step"),
    ({"steps": [["task_request", "madoguchi", {"resident_id": "$no_such"}]]}, "不明なプレースホルダ $no_such"),
    ({"steps": [["task_request", "madoguchi", {"card": "$guarantor"}]]}, "$guarantor はこのケースにありません"),
    ({"steps": [["$juki", "", {"change": "emigrate_to_mars"}]]}, "異動の種類 'emigrate_to_mars' は記録できません"),
    ({"steps": [["$juki", "", {"change": "cancel", "of": 3}]]}, "取り消す異動 of=3 はこのケースで記録されていません"),
    ({"events": [{"change": "move_out"}], "applicant": "fresh"}, "最後の異動の通知で業務が始まりませんでした（対象外"),
    ({"applicant": "demo:deceased", "guarantor": "registered", "setup": ["suspended"]}, "有効な印鑑登録がありません"),
])
def test_a_case_the_world_cannot_run_fails_with_the_reason(product, case, words):
    case = {"id": "broken", "applicant": "registered", "steps": [], "expect": {}} | case
    result = run_case(product.runner, "shomeisho_kofu", case, product.case_world(used_residents(product)))
    assert not result.passed and words in result.message and not result.trace, result.message
