"""5.2 印鑑登録証の番号: one normal form, used for storing and for every look-up, and one card per number.

A number typed or scanned at the counter is normalised the same way everywhere: full-width → half-width, lower →
upper case, hyphens and spaces removed (「ａ－０００１」, 「A-0001」 and 「a 0001」 are all 「A0001」); what is left
must be 4–20 letters and digits. The database refuses two active records with the same card number (a partial
unique index, migration 0019); ``check_card_free`` refuses it first with a message, and also refuses a number a
除票 carried (a lost card that turns up later must still be recognised as that closed record's card).
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from registry.errors import CardNumberError
from registry.seals.models import RecordStatus, Registration

__all__ = ["CARD_NUMBER", "REGISTRATION_CARD", "CardNumberError", "check_card_free", "normalize_card_number",
           "registration_by_card", "valid_card_number"]

REGISTRATION_CARD = "印鑑登録証"  # Registration.card_kind of a 5.2 card (the other kind is the 個人番号カード)
CARD_NUMBER = re.compile(r"[0-9A-Z]{4,20}")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ーｰ_]+")


def normalize_card_number(text: str | None) -> str:
    """The stored form of a typed or scanned number ("" for nothing typed); not validated."""
    folded = unicodedata.normalize("NFKC", text or "").upper()
    return _SEPARATORS.sub("", folded)


def valid_card_number(text: str | None) -> str:
    """The normal form; raise CardNumberError (missing_card_number | invalid_card_number) when unusable."""
    number = normalize_card_number(text)
    if not number:
        raise CardNumberError("登録証の番号を入力してください（番号が印字された登録証を使う運用です）", "missing_card_number")
    if not CARD_NUMBER.fullmatch(number):
        raise CardNumberError(f"登録証の番号「{text}」は使えません。英数字4〜20桁で入力してください"
                              "（全角・小文字・ハイフン・空白は自動で直します）")
    return number


def registration_by_card(session: Session, text: str | None) -> Registration | None:
    """The record a presented 印鑑登録証 names: the active one with that number, else the newest 除票 with it."""
    number = normalize_card_number(text)
    if not number:
        return None
    active_first = case((Registration.status == RecordStatus.REGISTERED, 0), else_=1)
    query = (select(Registration).where(Registration.card_kind == REGISTRATION_CARD,
                                        Registration.card_number == number)
             .order_by(active_first, Registration.id.desc()).limit(1))
    return session.scalars(query).first()


def check_card_free(session: Session, record: Registration, number: str) -> None:
    """Raise CardNumberError card_number_taken when another record (active or 除票) carries the number.

    The message names no one: the other record belongs to another person.
    """
    other = session.scalars(select(Registration).where(Registration.card_number == number,
                                                       Registration.id != record.id)
                            .order_by(Registration.status != RecordStatus.REGISTERED)).first()
    if other is None:
        return
    where = "別の有効な印鑑登録" if other.status == RecordStatus.REGISTERED else "廃止・抹消された印鑑登録（除票）"
    raise CardNumberError(f"登録証の番号 {number} は{where}の登録証の番号です。別の登録証を使ってください",
                          "card_number_taken")
