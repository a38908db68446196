"""5.2.4 暗証番号: hashed with salt and pepper, three wrong entries lock it, a clerk's reset unlocks it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from registry.seals.models import HistoryEntry, Registration
from registry.seals.pin import PinError, RegistrationPin, reset_pin, set_pin, verify_pin
from tests.support.pins import shows_pin

PEPPER = b"pepper-of-the-test-server"
TODAY = date(2026, 11, 23)


def _record(session, number):
    return session.scalars(select(Registration).where(Registration.registration_number == number)).one()


def _set(session, record, pin="1234", pepper=PEPPER):
    return set_pin(session, record, pin, pepper, today=TODAY, operator="madoguchi", instance_id=None)


def test_pin_is_stored_salted_and_peppered_never_in_clear(product, driver):
    first, second = driver.registered_person(), driver.registered_person()
    with product.session_factory.begin() as session:
        a, b = _record(session, first.registration_number), _record(session, second.registration_number)
        _set(session, a)
        _set(session, b)
        ids = [a.id, b.id]
    with product.session_factory() as session:
        hashes = [row.pin_hash for row in session.scalars(select(RegistrationPin)
                                                          .where(RegistrationPin.registration_id.in_(ids)))]
        history = session.scalars(select(HistoryEntry).where(HistoryEntry.reason == "暗証番号設定",
                                                             HistoryEntry.registration_id.in_(ids))).all()
    assert len(hashes) == 2 and hashes[0] != hashes[1]  # same PIN, different salt
    assert all(h.startswith("scrypt$") and not shows_pin(h, "1234") for h in hashes)
    assert len(history) == 2 and all(not shows_pin(e.after_json, "1234") for e in history)


def test_right_pin_matches_and_wrong_pepper_does_not(product, driver):
    registered = driver.registered_person()
    with product.session_factory.begin() as session:
        record = _record(session, registered.registration_number)
        _set(session, record)
        assert verify_pin(session, record, "1234", PEPPER).ok
        assert not verify_pin(session, record, "1234", b"another-server").ok


def test_three_wrong_entries_lock_until_a_clerk_resets(product, driver):
    registered = driver.registered_person()
    with product.session_factory.begin() as session:
        record = _record(session, registered.registration_number)
        _set(session, record)
        checks = [verify_pin(session, record, "0000", PEPPER) for _ in range(3)]
        assert [c.locked for c in checks] == [False, False, True]
        assert "あと1回" in checks[1].message
        locked = verify_pin(session, record, "1234", PEPPER)  # even the right PIN is refused now
        assert not locked.ok and locked.locked and "ロック" in locked.message
        reset_pin(session, record, "5678", PEPPER, today=TODAY, operator="madoguchi", instance_id=None)
        assert verify_pin(session, record, "5678", PEPPER).ok
        assert not verify_pin(session, record, "1234", PEPPER).ok
        reasons = session.scalars(select(HistoryEntry.reason).where(HistoryEntry.registration_id == record.id)).all()
    assert "暗証番号再設定" in reasons


def test_a_right_entry_clears_earlier_failures(product, driver):
    registered = driver.registered_person()
    with product.session_factory.begin() as session:
        record = _record(session, registered.registration_number)
        _set(session, record)
        verify_pin(session, record, "0000", PEPPER)
        verify_pin(session, record, "0001", PEPPER)
        assert verify_pin(session, record, "1234", PEPPER).ok
        assert not verify_pin(session, record, "0000", PEPPER).locked


@pytest.mark.parametrize("pin", ["123", "12345", "abcd", ""])
def test_pin_must_be_four_digits(product, driver, pin):
    registered = driver.registered_person()
    with pytest.raises(PinError, match="数字4桁"), product.session_factory.begin() as session:
        _set(session, _record(session, registered.registration_number), pin=pin)
