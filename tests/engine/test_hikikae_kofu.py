"""5.3 引換交付 and 5.2.4 暗証番号 through the real engine and handlers: both numbering modes, the switch to the
個人番号カード (J-LIS), the PIN change with its lock and the clerk's reset, refusals, and the card system call."""

from __future__ import annotations

import json
import threading
from dataclasses import replace

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from engine.models import AuditEvent, ProcessInstance
from engine.runtime.queries import instance_detail
from registry.seals.models import HistoryEntry, Registration
from registry.seals.pin import RegistrationPin, set_pin
from tests.support.flow import COUNTER, Registered
from webui.config import ConfigurationError, check_config, defaults
from webui.wiring import pin_pepper

REQUEST = {"identity_document": "driving_licence", "returned_card": "damaged"}
VALID_SERIAL, REVOKED_SERIAL = "ABCDEF0123456789", "ABCDEF012345DEAD"


class Exchange:
    """Drives hikikae_kofu for one registered resident."""

    def __init__(self, driver, product, registered: Registered):
        self.driver, self.product, self.registered = driver, product, registered

    def start(self, **request):
        outcome = self.product.runner.start("hikikae_kofu", COUNTER, {})
        return self.step(outcome, {"resident_id": self.registered.resident_id} | REQUEST | request)

    def step(self, outcome, data):
        return self.driver.step(outcome, COUNTER, data)

    def record(self) -> Registration:
        with self.product.session_factory() as session:
            return session.scalars(select(Registration).where(
                Registration.registration_number == self.registered.registration_number)).one()

    def history(self, reason: str) -> list[HistoryEntry]:
        with self.product.session_factory() as session:
            return list(session.scalars(select(HistoryEntry).where(
                HistoryEntry.registration_id == self.record().id, HistoryEntry.reason == reason)))

    def data(self, instance_id: int) -> dict:
        with self.product.session_factory() as session:
            return instance_detail(session, self.product.specs, instance_id).data

    def open_task(self, outcome) -> str:
        """The task id of the instance's task that is up now."""
        with self.product.session_factory() as session:
            return instance_detail(session, self.product.specs, outcome.instance_id).active_ids[0]

    def end_event(self, instance_id: int) -> str | None:
        with self.product.session_factory() as session:
            return session.get(ProcessInstance, instance_id).end_event


@pytest.fixture
def exchange(driver, product) -> Exchange:
    return Exchange(driver, product, driver.registered_person())


@pytest.fixture
def settings(product, monkeypatch):
    def use(**changes):
        monkeypatch.setattr(product.services, "settings", replace(product.services.settings, **changes))
    return use


def _card(card_kind="registration_card", pin_action="keep", **more):
    return {"card_kind": card_kind, "pin_action": pin_action} | more


def test_registry_numbering_keeps_the_record_number_and_prints_the_confirmation(exchange):
    outcome = exchange.start()
    outcome = exchange.step(outcome, _card())  # the record's own number: no card-number step
    outcome = exchange.step(outcome, {"handed_over": True})
    assert outcome.status == "completed" and exchange.end_event(outcome.instance_id) == "end_exchanged"
    record = exchange.record()
    assert record.card_number == record.registration_number and record.card_kind == "印鑑登録証"
    entry = exchange.history("引換交付")[0]
    assert "破損・汚損" in entry.after_json


def test_preprinted_numbering_records_the_new_cards_number(exchange, settings, driver):
    other = Exchange(driver, exchange.product, driver.registered_person())  # before the preprinted mode
    settings(card_numbering="preprinted")
    taken = other.start()
    other.step(other.step(other.step(taken, _card()), {"new_card_number": "P-000777"}), {"handed_over": True})
    outcome = exchange.start()
    outcome = exchange.step(outcome, _card())
    assert exchange.open_task(outcome) == "task_card_number"  # 「あらかじめ印鑑登録番号を表記していない印鑑登録証」
    outcome = exchange.step(outcome, {"new_card_number": "p000777"})  # another registration's card, typed otherwise
    assert outcome.status == "running" and exchange.record().card_number != "P000777"
    outcome = exchange.step(outcome, _card())
    outcome = exchange.step(outcome, {"new_card_number": "P-000778"})
    exchange.step(outcome, {"handed_over": True})
    assert exchange.record().card_number == "P000778"  # stored in the one normal form (registry/seals/cards.py)
    assert "P000778" in exchange.history("引換交付")[0].after_json


def test_found_by_the_old_cards_number(exchange):
    number = exchange.record().card_number
    outcome = exchange.product.runner.start("hikikae_kofu", COUNTER, {})
    outcome = exchange.step(outcome, {"card_number": number} | REQUEST)
    outcome = exchange.step(outcome, _card())
    exchange.step(outcome, {"handed_over": True})
    assert len(exchange.history("引換交付")) == 1


def test_switch_to_mynumber_card_is_checked_with_jlis(exchange):
    outcome = exchange.start(returned_card="switch")
    outcome = exchange.step(outcome, _card("mynumber_card", mynumber_cert_serial=REVOKED_SERIAL))
    assert exchange.record().card_kind == "印鑑登録証"  # revoked: nothing written, the card is asked again
    outcome = exchange.step(outcome, _card("mynumber_card", pin_action="change", mynumber_cert_serial=VALID_SERIAL))
    exchange.step(outcome, {"handed_over": True})  # no PIN step for the 個人番号カード
    record = exchange.record()
    assert record.card_kind == "個人番号カード" and record.card_number is None
    assert record.mynumber_cert_serial == VALID_SERIAL


def test_pin_change_three_wrong_entries_lock_and_the_clerk_resets(exchange, product):
    with product.session_factory.begin() as session:
        record = session.get(Registration, exchange.record().id)
        set_pin(session, record, "1234", product.services.settings.pin_pepper, today=product.services.today(),
                operator="test", instance_id=None)
    outcome = exchange.step(exchange.start(), _card(pin_action="change"))
    for _ in range(2):
        outcome = exchange.step(outcome, {"old_pin": "9999", "new_pin": "4321"})
        assert "一致しません" in exchange.data(outcome.instance_id)["pin_change"]["message"]
    outcome = exchange.step(outcome, {"old_pin": "9999", "new_pin": "4321"})  # third miss: locked
    assert "ロック" in exchange.data(outcome.instance_id)["pin_change"]["message"]
    outcome = exchange.step(outcome, {"identity_rechecked": True, "new_pin": "5555"})
    exchange.step(outcome, {"handed_over": True})
    with product.session_factory() as session:
        row = session.get(RegistrationPin, exchange.record().id)
        assert row.locked_at is None and row.failures == 0
    assert exchange.history("暗証番号再設定")


def test_pin_change_with_the_right_old_pin(exchange, product):
    outcome = exchange.step(exchange.start(), _card(pin_action="change"))
    outcome = exchange.step(outcome, {"new_pin": "2468"})  # none yet: first setting
    exchange.step(outcome, {"handed_over": True})
    outcome = exchange.step(exchange.start(), _card(pin_action="change"))
    outcome = exchange.step(outcome, {"old_pin": "2468", "new_pin": "1357"})
    exchange.step(outcome, {"handed_over": True})
    assert len(exchange.history("暗証番号設定")) == 2
    data = exchange.data(outcome.instance_id)
    assert data.get("old_pin") is None and data.get("new_pin") is None  # cleared right after the PIN task
    assert "1357" not in json.dumps(data, ensure_ascii=False)
    with product.session_factory() as session:  # the audit log knows a PIN was given, never which
        logged = [event.summary_json for event in session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == outcome.instance_id))]
    assert logged and not any("2468" in text or "1357" in text for text in logged)
    assert any("＊＊＊＊" in text for text in logged)


def test_no_identity_document_is_refused_and_can_be_closed(exchange):
    outcome = exchange.start(identity_document="none")
    outcome = exchange.step(outcome, {"refusal_action": "re_enter", "explained": True})
    outcome = exchange.step(outcome, {"resident_id": "NO-SUCH"} | REQUEST)
    outcome = exchange.step(outcome, {"refusal_action": "close", "explained": True})
    assert exchange.end_event(outcome.instance_id) == "end_refused"
    assert exchange.history("引換交付") == []


@pytest.fixture
def card_system():
    """A tiny card-management system: records the POSTs, answers with the status the test sets."""
    seen, answer = [], {"status": 200}

    @Request.application
    def app(request):
        seen.append(request.get_json())
        return Response("{}", status=answer["status"], content_type="application/json")

    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/cards", seen, answer
    server.shutdown()


def test_card_system_is_told_the_new_number_and_a_failure_writes_nothing(exchange, settings, card_system, product):
    url, seen, answer = card_system
    settings(card_numbering="preprinted", card_system_url=url, card_system_timeout=2.0)
    answer["status"] = 503
    outcome = exchange.step(exchange.step(exchange.start(), _card()), {"new_card_number": "Q-000123"})
    assert outcome.incident_id is not None and exchange.record().card_number != "Q000123"
    assert exchange.history("引換交付") == []
    answer["status"] = 200
    outcome = product.runner.retry(outcome.incident_id, COUNTER)
    exchange.step(outcome, {"handed_over": True})
    assert exchange.record().card_number == "Q000123"
    assert seen[-1] == {"registration_number": exchange.registered.registration_number,
                        "card_kind": "registration_card", "card_number": "Q000123"}


def test_card_numbering_setting_is_checked_and_the_pin_pepper_defaults_to_a_derived_key(tmp_path):
    config = defaults(str(tmp_path)) | {"SECRET_KEY": "x" * 32}
    check_config(config)
    with pytest.raises(ConfigurationError, match="INKAN_CARD_NUMBERING"):
        check_config(config | {"CARD_NUMBERING": "random"})
    derived = pin_pepper(config)
    assert derived != pin_pepper(config | {"SECRET_KEY": "y" * 32}) and b"x" * 32 not in derived
    assert pin_pepper(config | {"PIN_PEPPER": "own-pepper"}) == b"own-pepper"
