"""Resident changes (異動) of people already in the simulated register, and 異動の取消し of any of them.

Pure database logic on the ``juki_sim_*`` tables (no Flask, no registry): each function updates the resident,
writes one ``juki_sim_change`` row per person changed and returns the ``ResidentEvent`` s it announced. The caller
owns the transaction: it hands the events to the registry's intake (``handlers.linkage.intake.receive``) and commits, so a
change and its announcement are stored together or not at all. Arrivals (転入, 特例転入, 出生) are in
``juki.arrivals``. Every refusal is an ``InvalidChange`` with a Japanese message.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from juki.changelog import change_by_event_id, log_change, new_event_id
from juki.client import HEAD_OF_HOUSEHOLD, STATUS_DECEASED, STATUS_MOVED_OUT, STATUS_RESIDENT
from juki.errors import InvalidChange
from juki.events import ResidentEvent
from juki.ids import household_id as household_number
from juki.models import SimChange, SimHousehold, SimResident
from juki.normalize import hiragana_to_katakana
from juki.rows import resident_row_values, to_resident
from juki.simulator import household_statement

__all__ = [
    "CREATION_KINDS", "FIELD_LABELS", "ChangeContext", "cancel", "clear_common_name", "die", "emit",
    "change_household", "move_out", "move_within", "rename", "set_common_name", "start_guardianship",
]

CREATION_KINDS = ("move_in", "special_move_in", "birth")
FIELD_LABELS = {"name": "氏名", "kana": "カナ", "address": "住所", "household_id": "世帯番号",
                "relationship": "続柄", "status": "状態", "status_date": "異動日", "common_name": "通称",
                "old_surname": "旧氏", "lacks_capacity": "意思能力", "birth_date": "生年月日", "sex": "性別",
                "katakana_name": "カタカナ表記"}
_KANA = re.compile(r"^[\u30a0-\u30ff\u3000 ]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ChangeContext:
    """When and by whom a change is recorded: its effective date (異動日), the local day and the recording time."""

    effective_date: date
    actor: str
    today: date
    recorded_at: datetime  # timezone-aware

    def check_date(self, not_before: date | None = None) -> None:
        """Refuse an effective date in the future or before ``not_before`` (a birth)."""
        if self.effective_date > self.today:
            raise InvalidChange("異動日に未来の日付は指定できません。")
        if not_before is not None and self.effective_date < not_before:
            raise InvalidChange("異動日が生年月日より前です。")


def move_out(session: Session, resident_id: str, ctx: ChangeContext) -> list[ResidentEvent]:
    """転出: the person leaves the city on the effective date."""
    return [_close(session, resident_id, ctx, "move_out", STATUS_MOVED_OUT)]


def die(session: Session, resident_id: str, ctx: ChangeContext) -> list[ResidentEvent]:
    """死亡: the person died on the effective date."""
    return [_close(session, resident_id, ctx, "death", STATUS_DECEASED)]


def move_within(session: Session, resident_id: str, ctx: ChangeContext, *, address: str,
                whole_household: bool = True, kind: str = "move_within") -> list[ResidentEvent]:
    """転居 (or 住所表記変更 with ``kind='address_renamed'``): a new address, for the household or one person."""
    if kind not in ("move_within", "address_renamed"):
        raise InvalidChange("住所の異動の種類が正しくありません。")
    row = current_resident(session, resident_id, ctx)
    new_address = text_value(address, "新しい住所", 200)
    if new_address == row.address:
        raise InvalidChange("新しい住所が現在の住所と同じです。")
    movers = list(session.scalars(household_statement(row.household_id))) if whole_household else [row]
    if whole_household:
        session.get_one(SimHousehold, row.household_id).address = new_address
    return [apply(session, mover, kind, {"address": new_address}, ctx) for mover in movers]


def rename(session: Session, resident_id: str, ctx: ChangeContext, *, name: str, kana: str,
           old_surname: str = "") -> list[ResidentEvent]:
    """氏名変更 (婚姻・離婚・養子縁組 …): new 氏名 and カナ; a 旧氏 is recorded when given."""
    row = current_resident(session, resident_id, ctx)
    values: dict[str, Any] = {"name": text_value(name, "氏名", 100), "kana": kana_value(kana)}
    if old_surname.strip():
        values["old_surname"] = text_value(old_surname, "旧氏", 50)
    return [apply(session, row, "name_change", values, ctx)]


def set_common_name(session: Session, resident_id: str, ctx: ChangeContext, *, common_name: str) -> list[ResidentEvent]:
    """通称記載: only a foreign resident's 住民票 carries a 通称."""
    row = current_resident(session, resident_id, ctx)
    if row.nationality == "JP":
        raise InvalidChange("通称は外国人住民の住民票にのみ記載できます。")
    return [apply(session, row, "common_name_set", {"common_name": text_value(common_name, "通称", 100)}, ctx)]


def clear_common_name(session: Session, resident_id: str, ctx: ChangeContext) -> list[ResidentEvent]:
    """通称削除."""
    row = current_resident(session, resident_id, ctx)
    if row.common_name is None:
        raise InvalidChange("この住民には通称が記載されていません。")
    return [apply(session, row, "common_name_cleared", {"common_name": None}, ctx)]


def change_household(session: Session, resident_id: str, ctx: ChangeContext, *, household_id: str = "",
                     relationship: str = "") -> list[ResidentEvent]:
    """世帯変更: join another household (taking its address) or, with no household given, found a new one."""
    row = current_resident(session, resident_id, ctx)
    target = household_id.strip().upper()
    if not target:
        new = SimHousehold(household_id=next_household_id(session), head_resident_id=row.resident_id,
                           address=row.address)
        session.add(new)
        values = {"household_id": new.household_id, "relationship": HEAD_OF_HOUSEHOLD}
        return [apply(session, row, "household_change", values, ctx)]
    household = session.get(SimHousehold, target)
    if household is None:
        raise InvalidChange(f"世帯番号 {target} の世帯がありません。")
    if target == row.household_id:
        raise InvalidChange("現在と同じ世帯です。")
    relation = text_value(relationship, "続柄", 20)
    if relation == HEAD_OF_HOUSEHOLD and session.scalars(household_statement(target)).first() is not None:
        raise InvalidChange("世帯主のいる世帯には「世帯主」として入れません。続柄を入力してください。")
    values = {"household_id": target, "relationship": relation, "address": household.address}
    return [apply(session, row, "household_change", values, ctx)]


def start_guardianship(session: Session, resident_id: str, ctx: ChangeContext) -> list[ResidentEvent]:
    """後見開始の通知: the person is now 成年被後見人 and may not hold a registration (4.2.1)."""
    row = current_resident(session, resident_id, ctx)
    if row.lacks_capacity:
        raise InvalidChange("この住民には既に後見開始が記録されています。")
    return [apply(session, row, "guardianship_started", {"lacks_capacity": True}, ctx)]


def cancel(session: Session, event_id: str, ctx: ChangeContext) -> list[ResidentEvent]:
    """異動の取消し: undo an earlier change, putting back the values it replaced.

    Refused when the change is unknown, a cancellation itself, already cancelled, or when a field it set has
    changed again since (cancel the later change first). Cancelling an arrival removes the person again.
    """
    ctx.check_date()
    original = change_by_event_id(session, (event_id or "").strip())
    if original is None:
        raise InvalidChange("取り消す異動が見つかりません。")
    if original.kind == "cancellation":
        raise InvalidChange("異動の取消しそのものは取り消せません。")
    if original.cancelled_by:
        raise InvalidChange("この異動は既に取り消されています。")
    if original.kind in CREATION_KINDS:
        event = _cancel_arrival(session, original, ctx)
    else:
        event = _cancel_update(session, original, ctx)
    original.cancelled_by = event.event_id
    return [event]


def _cancel_update(session: Session, original: SimChange, ctx: ChangeContext) -> ResidentEvent:
    row = session.get(SimResident, original.resident_id)
    changes = json.loads(original.changes_json)
    if row is None:
        raise InvalidChange("この住民の記録がありません。")
    for name, change in changes.items():
        if plain(getattr(row, name)) != change["after"]:
            raise InvalidChange(f"この異動の後に{FIELD_LABELS[name]}が変更されているため取り消せません。"
                                "後の異動を先に取り消してください。")
    values = {name: typed(name, change["before"]) for name, change in changes.items()}
    if original.kind in ("move_within", "address_renamed", "household_change"):
        _restore_household_address(session, row, values)
    return apply(session, row, "cancellation", values, ctx, cancels=original.event_id)


def _restore_household_address(session: Session, row: SimResident, values: dict[str, Any]) -> None:
    # A household's address follows its members back when none of them stays at the address being undone.
    household = session.get(SimHousehold, values.get("household_id", row.household_id))
    if household is not None and "address" in values:
        others = [m for m in session.scalars(household_statement(household.household_id))
                  if m.resident_id != row.resident_id and m.address == household.address]
        if not others:
            household.address = values["address"]


def _cancel_arrival(session: Session, original: SimChange, ctx: ChangeContext) -> ResidentEvent:
    later = session.scalars(select(func.count()).select_from(SimChange).where(
        SimChange.resident_id == original.resident_id, SimChange.id > original.id,
        SimChange.cancelled_by.is_(None), SimChange.kind != "cancellation")).one()
    if later:
        raise InvalidChange("この住民にはその後の異動があるため取り消せません。後の異動を先に取り消してください。")
    row = session.get(SimResident, original.resident_id)
    changes = {name: {"before": change["after"], "after": None}
               for name, change in json.loads(original.changes_json).items()}
    session.delete(row)  # the household row stays: 世帯番号 are never reused
    session.flush()
    return emit(session, "cancellation", original.resident_id, changes, ctx, cancels=original.event_id)


# ---- shared core ------------------------------------------------------------------------------------------
def current_resident(session: Session, resident_id: str, ctx: ChangeContext) -> SimResident:
    """The resident row, which must be living in the city; checks the effective date against the birth."""
    row = session.get(SimResident, (resident_id or "").strip())
    if row is None:
        raise InvalidChange("住民記録が見つかりません。")
    if row.status != STATUS_RESIDENT:
        raise InvalidChange("転出または死亡した住民の記録は変更できません（取消しは「異動の取消し」で）。")
    ctx.check_date(row.birth_date)
    return row


def apply(session: Session, row: SimResident, kind: str, values: dict[str, Any], ctx: ChangeContext,
          cancels: str | None = None) -> ResidentEvent:
    """Set ``values`` on the row, log the change and return its event; refuses a change that changes nothing."""
    changes: dict[str, dict[str, Any]] = {}
    for name, new in values.items():
        old = getattr(row, name)
        if old != new:
            changes[name] = {"before": plain(old), "after": plain(new)}
            setattr(row, name, new)
    if not changes:
        raise InvalidChange("現在の住民記録と同じ内容です。変更する項目を入力してください。")
    refresh_keys(row)
    return emit(session, kind, row.resident_id, changes, ctx, cancels)


def emit(session: Session, kind: str, resident_id: str, changes: dict[str, dict[str, Any]], ctx: ChangeContext,
         cancels: str | None = None) -> ResidentEvent:
    """Build the event of a change with a new unique id and write its change row."""
    event = ResidentEvent(event_id=new_event_id(), kind=kind, resident_id=resident_id,
                          effective_date=ctx.effective_date, recorded_at=ctx.recorded_at, changes=changes,
                          cancels_event_id=cancels)
    log_change(session, event, recorded_by=ctx.actor)
    return event


def refresh_keys(row: SimResident) -> None:
    """Recompute the space-free search keys after a name, 通称 or address change."""
    values = resident_row_values(to_resident(row))
    for key in ("kana_key", "name_key", "common_name_key", "address_key"):
        setattr(row, key, values[key])


def next_household_id(session: Session) -> str:
    """The next free 世帯番号 (numbers are never reused)."""
    last = session.scalars(select(func.max(SimHousehold.household_id))).one()
    return household_number(int(last[1:]) + 1 if last else 1)


def text_value(value: str | None, label: str, max_length: int) -> str:
    """A required one-line text, NFC-normalized; raises InvalidChange naming the field."""
    text = unicodedata.normalize("NFC", (value or "").strip())
    if not text:
        raise InvalidChange(f"{label}を入力してください。")
    if len(text) > max_length or _CONTROL.search(text):
        raise InvalidChange(f"{label}は{max_length}文字以内の1行で入力してください。")
    return text


def kana_value(value: str | None, label: str = "カナ") -> str:
    """カナ in full-width katakana (ひらがな accepted), 氏 and 名 separated by a full-width space."""
    text = hiragana_to_katakana(unicodedata.normalize("NFKC", (value or "").strip())).replace(" ", "\u3000")
    if not text or not _KANA.match(text) or len(text) > 100:
        raise InvalidChange(f"{label}は全角カタカナで入力してください（例: ヤマダ　タロウ）。")
    return text


def plain(value: Any) -> Any:
    """A value as events carry it (dates as ISO strings)."""
    return value.isoformat() if isinstance(value, date) else value


def typed(name: str, value: Any) -> Any:
    """An event value back as the column's type."""
    if name in ("status_date", "birth_date") and isinstance(value, str):
        return date.fromisoformat(value)
    if name == "lacks_capacity":
        return bool(value)
    return value


def _close(session: Session, resident_id: str, ctx: ChangeContext, kind: str, status: str) -> ResidentEvent:
    row = current_resident(session, resident_id, ctx)
    return apply(session, row, kind, {"status": status, "status_date": ctx.effective_date}, ctx)
