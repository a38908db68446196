"""5.3 引換交付: a new card (or the switch between 印鑑登録証 and 個人番号カード) for an active registration."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.errors import RegistryError
from registry.seals import records
from registry.seals.models import RecordStatus, Registration

REGISTRATION_CARD, MYNUMBER_CARD = "印鑑登録証", "個人番号カード"
NUMBERING_MODES = ("preprinted", "registry")
CARD_NUMBER = re.compile(r"[0-9A-Z-]{4,20}")


class CardExchangeError(RegistryError):
    code = "card_exchange_refused"


def find_by_card(session: Session, card_number: str) -> Registration | None:
    """The active registration identified by a 印鑑登録証 number (the card the resident brought)."""
    return session.scalars(select(Registration).where(Registration.card_number == card_number.strip(),
                                                      Registration.status == RecordStatus.REGISTERED)).first()


def new_card_number(record: Registration, numbering: str, scanned: str | None) -> str:
    """The number the new 印鑑登録証 carries: pre-printed cards bring their own, else the record's number."""
    if numbering not in NUMBERING_MODES:
        raise CardExchangeError(f"登録証の付番方式 {numbering} は使えません")
    if numbering == "registry":
        return record.registration_number
    number = (scanned or "").strip()
    if not CARD_NUMBER.fullmatch(number):
        raise CardExchangeError("新しい印鑑登録証の番号（印字済みの番号）を入力してください")
    if number == record.card_number:
        raise CardExchangeError("返納された登録証と同じ番号です。新しい登録証の番号を入力してください")
    return number


def check_number_free(session: Session, record: Registration, number: str) -> None:
    taken = session.scalars(select(Registration.id).where(Registration.card_number == number,
                                                          Registration.id != record.id)).first()
    if taken is not None:
        raise CardExchangeError(f"登録証の番号 {number} は別の登録で使われています")


def exchange_card(session: Session, record: Registration, *, card_kind: str, card_number: str | None,
                  cert_serial: str | None, today: date, operator: str, instance_id: int | None,
                  returned: str) -> None:
    """Write the new card onto the record with a 引換交付 history entry (the old card's return noted)."""
    if record.status != RecordStatus.REGISTERED:
        raise CardExchangeError("登録中の原票ではないため引換交付できません")
    if card_number:
        check_number_free(session, record, card_number)
    before = records.snapshot(record) | {"returned_card": None}
    record.card_kind, record.card_number, record.mynumber_cert_serial = card_kind, card_number, cert_serial
    session.flush()
    records.add_history(session, record, "引換交付", today, operator, instance_id, before=before,
                        after=records.snapshot(record) | {"returned_card": returned})
