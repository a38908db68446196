"""4.1.2 (5.2) honours 「印鑑登録者識別カードを印鑑登録システム以外のシステムで管理する場合は、当該カードを管理する
システムで操作する」 as 5.3 does (issue 16.6): the card system hears of the new card before it is written, a failure
is an incident that writes nothing, and the retry tells it again; and the 5.2.4 PIN given there is stored hashed."""

from __future__ import annotations

import json

from sqlalchemy import select

from engine.runtime.queries import instance_detail
from registry.seals.models import HistoryEntry, Registration
from registry.seals.pin import RegistrationPin
from tests.engine.test_hikikae_kofu import card_system, settings  # noqa: F401 — fixtures, found by name
from tests.support.flow import BACK, COUNTER
from tests.support.pins import shows_pin


def _to_card(driver):
    resident_id = driver.fresh_resident()
    outcome = driver.to_scan(resident_id)
    outcome = driver.step(outcome, BACK, {"scan_blob_id": driver.scan("登録")})
    return resident_id, driver.step(outcome, BACK, {"impression_decision": "accept", "impression_name": "full_name"})


def _record(product, resident_id: str) -> Registration:
    with product.session_factory() as session:
        return session.scalars(select(Registration).where(Registration.resident_id == resident_id)).one()


def test_the_card_system_is_told_before_the_card_is_written(driver, product, settings, card_system):  # noqa: F811
    url, seen, answer = card_system
    settings(card_system_url=url, card_system_timeout=2.0)
    resident_id, outcome = _to_card(driver)
    answer["status"] = 503
    outcome = driver.step(outcome, BACK, {"card_kind": "registration_card"})
    assert outcome.incident_id is not None and _record(product, resident_id).card_number is None
    answer["status"] = 200
    outcome = product.runner.retry(outcome.incident_id, BACK)
    assert outcome.incident_id is None
    record = _record(product, resident_id)
    assert record.card_number == record.registration_number
    assert seen[-1] == {"registration_number": record.registration_number, "card_kind": "registration_card",
                        "card_number": record.registration_number}


def test_the_pin_given_at_the_card_step_is_stored_hashed_and_never_kept(driver, product):
    resident_id, outcome = _to_card(driver)
    outcome = driver.step(outcome, BACK, {"card_kind": "registration_card", "new_pin": "2468"})
    outcome = driver.step(outcome, COUNTER, {"handed_over": True})
    assert outcome.status == "completed"
    record = _record(product, resident_id)
    with product.session_factory() as session:
        row = session.get(RegistrationPin, record.id)
        assert row is not None and row.pin_hash.startswith("scrypt$") and not shows_pin(row.pin_hash, "2468")
        reasons = [e.reason for e in session.scalars(select(HistoryEntry).where(
            HistoryEntry.registration_id == record.id))]
        data = instance_detail(session, product.specs, outcome.instance_id).data
    assert "暗証番号設定" in reasons
    assert not shows_pin(json.dumps(data, ensure_ascii=False), "2468") and data["pin_set"]["changed"] is True
