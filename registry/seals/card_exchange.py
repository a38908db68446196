"""5.3 引換交付: a new card (or the switch between 印鑑登録証 and 個人番号カード) for an active registration."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from registry.errors import CardNumberError, RegistryError
from registry.seals import cards, records
from registry.seals.models import RecordStatus, Registration

REGISTRATION_CARD, MYNUMBER_CARD = cards.REGISTRATION_CARD, "個人番号カード"
NUMBERING_MODES = ("preprinted", "registry")


class CardExchangeError(RegistryError):
    code = "card_exchange_refused"


def find_by_card(session: Session, card_number: str) -> Registration | None:
    """The active registration identified by a 印鑑登録証 number (the card the resident brought)."""
    record = cards.registration_by_card(session, card_number)
    return record if record is not None and record.status == RecordStatus.REGISTERED else None


def new_card_number(record: Registration, numbering: str, scanned: str | None) -> str:
    """The number the new 印鑑登録証 carries: pre-printed cards bring their own, else the record's number."""
    if numbering not in NUMBERING_MODES:
        raise CardExchangeError(f"登録証の付番方式 {numbering} は使えません")
    if numbering == "registry":
        return record.registration_number
    try:
        number = cards.valid_card_number(scanned)
    except CardNumberError as exc:
        raise CardExchangeError(f"新しい印鑑登録証の番号（印字済みの番号）: {exc.message}") from exc
    if number == record.card_number:
        raise CardExchangeError("返納された登録証と同じ番号です。新しい登録証の番号を入力してください")
    return number


def check_number_free(session: Session, record: Registration, number: str) -> None:
    try:
        cards.check_card_free(session, record, number)
    except CardNumberError as exc:
        raise CardExchangeError(exc.message) from exc


def exchange_card(session: Session, record: Registration, *, card_kind: str, card_number: str | None,
                  cert_serial: str | None, today: date, operator: str, instance_id: int | None,
                  returned: str) -> None:
    """Write the new card onto the record with a 引換交付 history entry (the old card's return noted)."""
    if record.status != RecordStatus.REGISTERED:
        raise CardExchangeError("登録中の原票ではないため引換交付できません")
    if card_number:
        try:
            card_number = cards.valid_card_number(card_number)
        except CardNumberError as exc:
            raise CardExchangeError(exc.message) from exc
        check_number_free(session, record, card_number)
    before = records.snapshot(record) | {"returned_card": None}
    record.card_kind, record.card_number, record.mynumber_cert_serial = card_kind, card_number, cert_serial
    session.flush()
    records.add_history(session, record, "引換交付", today, operator, instance_id, before=before,
                        after=records.snapshot(record) | {"returned_card": returned})
