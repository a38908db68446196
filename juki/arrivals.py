"""Arrivals in the simulated register: 転入, 特例転入 (with the My Number card) and 出生.

Each creates a new 住民票 with a fresh resident id, either founding a household or joining one, writes its change
row and returns the event (every field "before" is None). The caller emits the events and commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from juki import jlis
from juki.changes import ChangeContext, current_resident, emit, kana_value, next_household_id, text_value
from juki.client import HEAD_OF_HOUSEHOLD, SEXES, STATUS_RESIDENT, Resident
from juki.errors import InvalidChange
from juki.events import ResidentEvent
from juki.ids import FIRST_RANDOM_PAYLOAD, LAST_PAYLOAD, resident_id
from juki.models import SimHousehold, SimResident
from juki.rows import resident_row_values
from juki.simulator import household_statement

__all__ = ["NewPerson", "birth", "move_in"]

_ANNOUNCED = ("status", "name", "kana", "address", "household_id", "relationship")
_CHILD_OF = {HEAD_OF_HOUSEHOLD: "子", "妻": "子", "夫": "子", "子": "孫", "子の妻": "孫"}


@dataclass(frozen=True)
class NewPerson:
    """Who moves in: household_id blank founds a new household at ``address``; otherwise joins that household."""

    name: str
    kana: str
    birth_date: date | None
    sex: str
    address: str = ""
    household_id: str = ""
    relationship: str = ""
    nationality: str = "JP"


def move_in(session: Session, person: NewPerson, ctx: ChangeContext, *, special: bool = False,
            cert_serial: str = "") -> list[ResidentEvent]:
    """転入 (特例転入 when ``special``: the card's certificate serial, if given, is known valid to J-LIS)."""
    if person.birth_date is None:
        raise InvalidChange("生年月日を入力してください。")
    ctx.check_date(person.birth_date)
    if person.sex not in SEXES:
        raise InvalidChange("性別を選んでください。")
    nationality = (person.nationality or "JP").strip().upper()
    if len(nationality) != 2 or not nationality.isalpha():
        raise InvalidChange("国籍は2文字の国名コードで入力してください（日本は JP）。")
    household, relationship = _household_for(session, person)
    row = _insert(session, Resident(
        resident_id=_new_resident_id(session), household_id=household.household_id,
        name=text_value(person.name, "氏名", 100), kana=kana_value(person.kana), birth_date=person.birth_date,
        sex=person.sex, address=household.address, status=STATUS_RESIDENT, status_date=None,
        relationship=relationship, nationality=nationality, common_name=None, katakana_name=None,
        old_surname=None, lacks_capacity=False))
    if special and cert_serial.strip():
        jlis.put_certificate(session, cert_serial, jlis.STATUS_VALID, actor=ctx.actor, resident_id=row.resident_id,
                             note="特例転入で継続利用")
    return [_announce(session, row, "special_move_in" if special else "move_in", ctx)]


def birth(session: Session, parent_id: str, ctx: ChangeContext, *, given_name: str, given_kana: str,
          sex: str) -> list[ResidentEvent]:
    """出生: the child joins the parent's household on the effective date (the birth date), parent's 氏."""
    parent = current_resident(session, parent_id, ctx)
    if sex not in SEXES:
        raise InvalidChange("性別を選んでください。")
    surname, surname_kana = parent.name.split("\u3000")[0], parent.kana.split("\u3000")[0]
    row = _insert(session, Resident(
        resident_id=_new_resident_id(session), household_id=parent.household_id,
        name=f"{surname}\u3000{text_value(given_name, '名', 50)}",
        kana=kana_value(f"{surname_kana}\u3000{given_kana}"), birth_date=ctx.effective_date, sex=sex,
        address=parent.address, status=STATUS_RESIDENT, status_date=None,
        relationship=_CHILD_OF.get(parent.relationship, "子"), nationality=parent.nationality, common_name=None,
        katakana_name=None, old_surname=None, lacks_capacity=False))
    return [_announce(session, row, "birth", ctx)]


def _household_for(session: Session, person: NewPerson) -> tuple[SimHousehold, str]:
    """The household the newcomer joins (with the 続柄 given) or a new one founded at the given address."""
    wanted = person.household_id.strip().upper()
    if not wanted:
        household = SimHousehold(household_id=next_household_id(session), head_resident_id="",
                                 address=text_value(person.address, "転入先の住所", 200))
        session.add(household)
        return household, HEAD_OF_HOUSEHOLD
    existing = session.get(SimHousehold, wanted)
    if existing is None or session.scalars(household_statement(wanted)).first() is None:
        raise InvalidChange(f"世帯番号 {wanted} の世帯（世帯員あり）がありません。")
    relationship = text_value(person.relationship, "続柄", 20)
    if relationship == HEAD_OF_HOUSEHOLD:
        raise InvalidChange("既存の世帯に入る場合は世帯主以外の続柄を入力してください。")
    return existing, relationship


def _insert(session: Session, resident: Resident) -> SimResident:
    row = SimResident(**resident_row_values(resident))
    session.add(row)
    household = session.get(SimHousehold, resident.household_id)
    if household is not None and not household.head_resident_id:
        household.head_resident_id = resident.resident_id
    session.flush()
    return row


def _announce(session: Session, row: SimResident, kind: str, ctx: ChangeContext) -> ResidentEvent:
    changes = {name: {"before": None, "after": getattr(row, name)} for name in _ANNOUNCED}
    return emit(session, kind, row.resident_id, changes, ctx)


def _new_resident_id(session: Session) -> str:
    while True:
        candidate = resident_id(FIRST_RANDOM_PAYLOAD + secrets.randbelow(LAST_PAYLOAD - FIRST_RANDOM_PAYLOAD + 1))
        if session.get(SimResident, candidate) is None:
            return candidate
