"""5.2 / 5.3 at two counters: two records given the same pre-printed card number at once. The second waits for the
first (the unique index on PostgreSQL, the write lock on SQLite) and is refused with card_number_taken, the refusal
the card task already shows (its clerk types another number), instead of an incident."""

from __future__ import annotations

import secrets
import threading

from registry.errors import CardNumberError
from registry.seals import cards, records


def give_card(session, product, registration_number: str, number: str) -> None:
    record = records.registration_by_number(session, registration_number)
    records.set_card(session, record, card_kind=cards.REGISTRATION_CARD, card_number=number, cert_serial=None,
                     today=product.services.today(), operator="test", instance_id=None)


def test_the_same_card_number_given_at_two_counters_refuses_the_second(product, driver):
    first_person, second_person = driver.registered_person(), driver.registered_person()
    number = "R" + secrets.token_hex(6).upper()
    first = product.session_factory()
    first.begin()
    give_card(first, product, first_person.registration_number, number)
    refused: list = []

    def second_counter() -> None:
        with product.session_factory.begin() as session:
            try:
                give_card(session, product, second_person.registration_number, number)
            except CardNumberError as exc:
                refused.append(exc.code)

    waiting = threading.Thread(target=second_counter)
    waiting.start()
    waiting.join(1.0)
    first.commit()
    first.close()
    waiting.join(30)
    assert refused == ["card_number_taken"]
    with product.session_factory() as session:
        assert records.registration_by_number(session, first_person.registration_number).card_number == number
        assert records.registration_by_number(session, second_person.registration_number).card_number != number
