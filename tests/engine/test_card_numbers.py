"""Issue 18 point 4: 5.2 card numbers have one normal form for storing and every look-up, an active card number
belongs to one record, pre-printed cards need their number, and migration 0019 converts existing numbers (or
lists the duplicates and stops, changing nothing)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conftest import _create_pg_database, _drop_pg_database
from engine.evidence.verify import verify_chain
from handlers.services.history_labels import change_summary
from registry.errors import CardNumberError
from registry.seals import records
from registry.seals.card_exchange import find_by_card
from registry.seals.cards import normalize_card_number, registration_by_card, valid_card_number
from registry.seals.models import HistoryEntry, Registration
from tests.support.certificates_flow import CounterDriver
from tests.support.flow import BACK, COUNTER
from webui.audit.chains import HISTORY_CHAIN
from webui.schema import alembic_config


@pytest.mark.parametrize(("typed", "stored"), [
    ("A-0001", "A0001"), ("ａ－０００１", "A0001"), ("a 0001", "A0001"), ("Ｂ‐１２３４５", "B12345"),
    (" 0000-0012 ", "00000012"), ("c—0003", "C0003"),
])
def test_one_normal_form(typed, stored):
    assert normalize_card_number(typed) == stored == valid_card_number(typed)


@pytest.mark.parametrize(("typed", "code"), [
    ("", "missing_card_number"), (None, "missing_card_number"), ("A-1", "invalid_card_number"),
    ("A0001!", "invalid_card_number"), ("印鑑0001", "invalid_card_number"), ("1" * 21, "invalid_card_number"),
])
def test_unusable_numbers_are_refused_in_japanese(typed, code):
    with pytest.raises(CardNumberError) as refused:
        valid_card_number(typed)
    assert refused.value.code == code and "登録証の番号" in refused.value.message


@pytest.fixture
def preprinted(product, monkeypatch):
    monkeypatch.setattr(product.services, "settings", replace(product.services.settings, card_numbering="preprinted"))


def _to_card_task(driver):
    resident_id = driver.fresh_resident()
    outcome = driver.to_scan(resident_id)
    outcome = driver.step(outcome, BACK, {"scan_blob_id": driver.scan("番号")})
    return resident_id, driver.step(outcome, BACK, {"impression_decision": "accept", "impression_name": "full_name"})


def _card_answer(product, instance_id: int) -> dict:
    return CounterDriver(product).data(instance_id)["card"]


def _serial() -> str:
    import secrets

    return "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(3))


@pytest.mark.usefixtures("preprinted")
def test_a_preprinted_card_needs_its_number_and_is_found_however_it_is_typed(product, driver):
    resident_id, outcome = _to_card_task(driver)
    outcome = driver.step(outcome, BACK, {"card_kind": "registration_card"})  # no number on a pre-printed card
    answer = _card_answer(product, outcome.instance_id)
    assert answer["issued"] is False and answer["reason"] == "missing_card_number"
    assert "登録証の番号を入力してください" in answer["message"]
    assert _record_of(product, resident_id).card_number is None  # never the registration number silently
    serial = _serial()
    outcome = driver.step(outcome, BACK, {"card_kind": "registration_card", "card_number": f"ｐ－{serial.lower()}０１"})
    assert _card_answer(product, outcome.instance_id)["issued"] is True
    outcome = driver.step(outcome, COUNTER, {"handed_over": True})
    assert outcome.status == "completed"
    record = _record_of(product, resident_id)
    stored = f"P{serial}01"
    assert record.card_number == stored
    with product.session_factory() as session:
        entry = records.history_of(session, record.id)[-1]
        assert entry.reason == "登録証交付" and f"登録証番号: なし → {stored}" in change_summary(entry)
        for typed in (f"P-{serial}-01", f"p{serial.lower()}01", f"ｐ　{serial}０１"):  # 4.4.1 / 6.1 / 5.3 look-ups
            assert registration_by_card(session, typed).id == record.id
            assert find_by_card(session, typed).id == record.id
    check = _certificate_check(product, resident_id, f"p-{serial.lower()}-01")
    assert check["reason"] != "card_not_found" and check["registration_number"] == record.registration_number
    haishi = product.runner.start("haishi", COUNTER, {"resident_id": resident_id})
    haishi = driver.step(haishi, COUNTER, {"request_kind": "return", "resident_id": resident_id,
                                           "card_number": f"p-{serial}01"})
    assert CounterDriver(product).data(haishi.instance_id)["registration"]["ok"] is True


def _record_of(product, resident_id: str) -> Registration:
    with product.session_factory() as session:
        return records.active_registration_of(session, resident_id)


def _certificate_check(product, resident_id: str, typed: str) -> dict:
    counter = CounterDriver(product)
    outcome = counter.request(resident_id, typed)
    return counter.data(outcome.instance_id)["check"]


@pytest.mark.usefixtures("preprinted")
def test_an_active_card_number_belongs_to_one_record(product, driver):
    first, outcome = _to_card_task(driver)
    serial = _serial()
    driver.step(driver.step(outcome, BACK, {"card_kind": "registration_card", "card_number": f"B{serial}"}),
                COUNTER, {"handed_over": True})
    second, outcome = _to_card_task(driver)
    outcome = driver.step(outcome, BACK, {"card_kind": "registration_card", "card_number": f"b-{serial.lower()}"})
    answer = _card_answer(product, outcome.instance_id)
    assert answer["issued"] is False and answer["reason"] == "card_number_taken"
    assert "別の有効な印鑑登録" in answer["message"] and _record_of(product, first).name not in answer["message"]
    assert _record_of(product, second).card_number is None
    with pytest.raises(IntegrityError), product.session_factory.begin() as session:  # the database's own refusal
        session.execute(text("UPDATE registration SET card_number = :n WHERE id = :i"),
                        {"n": f"B{serial}", "i": _record_of(product, second).id})


# ---- migration 0019 --------------------------------------------------------------------------------------------
# SQLite commits each earlier migration's DDL on its own, so the refused upgrade is measured from the one just before.
REVISION_BEFORE_0019 = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision("0019").down_revision

@pytest.fixture(params=["sqlite", "postgresql"])
def before_0019(request, tmp_path):
    """A database migrated up to the revision before 0019."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}" if request.param == "sqlite" else _create_pg_database()
    command.upgrade(alembic_config(url), REVISION_BEFORE_0019)
    yield url
    if request.param == "postgresql":
        _drop_pg_database(url)


def _insert_records(url: str, cards: list[tuple[str, str, str | None]]) -> None:
    """Registrations as an older version stored them: (registration number, status, card number as typed)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        for n, (number, status, card) in enumerate(cards):
            impression_id = connection.execute(text(
                "INSERT INTO impression (resident_id, image_blob, scan_blob, dpi, mm_per_px, width_mm, height_mm,"
                " square_mm, shape, warnings_json, stored_by, stored_at) VALUES (:r, :b, :b, 300, 0.08, 15, 15, 15,"
                " 'round', '[]', 'old', :t) RETURNING id"), {"r": f"R{n}", "b": "0" * 64, "t": date(2020, 1, 1)}
            ).scalar_one()
            connection.execute(text(
                "INSERT INTO registration (registration_number, registered_on, status, resident_id, household_id,"
                " name, kana, birth_date, sex, address, impression_id, identity_path, card_kind, card_number)"
                " VALUES (:num, :d, :s, :r, 'H', '見本 太郎', 'ミホン タロウ', :b, '男', '見本市', :i, 'photo_id',"
                " '印鑑登録証', :c)"),
                {"num": number, "d": date(2020, 1, 1), "s": status, "r": f"R{n}", "b": date(1980, 1, 1),
                 "i": impression_id, "c": card})
    engine.dispose()


def _cards(url: str) -> dict[str, str | None]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT registration_number, card_number FROM registration")).all())
    engine.dispose()
    return rows


def test_the_migration_normalises_stored_numbers_with_a_history_entry(before_0019):
    _insert_records(before_0019, [("00000011", "registered", "A-0001"), ("00000022", "registered", "ｃ０００２"),
                              ("00000033", "abolished", "A0001"), ("00000044", "registered", "00000044")])
    command.upgrade(alembic_config(before_0019), "0019")
    assert _cards(before_0019) == {"00000011": "A0001", "00000022": "C0002", "00000033": "A0001",
                               "00000044": "00000044"}
    engine = create_engine(before_0019)
    with Session(engine) as session:
        entries = session.scalars(select(HistoryEntry).order_by(HistoryEntry.chain_seq)).all()
        assert [e.reason for e in entries] == ["登録証番号の正規化"] * 2
        assert change_summary(entries[0]) == "登録証番号: A-0001 → A0001、正規化前の登録証番号: なし → A-0001"
        assert verify_chain(session, HISTORY_CHAIN).ok
    engine.dispose()


def test_the_migration_lists_duplicates_and_changes_nothing(before_0019):
    typed = [("00000011", "registered", "B-0001"), ("00000022", "registered", "b0001"),
             ("00000033", "registered", "X-1")]
    _insert_records(before_0019, typed)
    with pytest.raises(RuntimeError) as stopped:
        command.upgrade(alembic_config(before_0019), "0019")
    message = str(stopped.value)
    assert "00000011（B-0001）・00000022（b0001）" in message and "B0001" in message
    assert "00000033: 登録証の番号「X-1」" in message
    assert _cards(before_0019) == {number: card for number, _status, card in typed}
    engine = create_engine(before_0019)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == REVISION_BEFORE_0019
    engine.dispose()
