"""The simulator pages' forms: a posted change as a call of juki.changes / juki.arrivals, a J-LIS state, a kiosk
request. Every malformed value is refused with ``InvalidChange`` and a Japanese message naming the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from handlers.linkage import intake
from juki import arrivals, changes, corrections
from juki.changes import ChangeContext
from juki.errors import InvalidChange
from juki.events import ResidentEvent

__all__ = ["FORM_KINDS", "parse_date", "record_change"]

Action = Callable[[Session, MultiDict, ChangeContext], list[ResidentEvent]]
SOURCE = "simulator"


def record_change(session: Session, form: MultiDict, ctx: ChangeContext, *, push: bool) -> list[ResidentEvent]:
    """Record the posted change in the simulated register (its change feed); with ``push`` (INKAN_JUKI_LINKAGE
    includes push) also hand its events to the registry's intake in the caller's transaction, as a register that
    pushes would (the same ``receive`` as POST /api/v1/juki/events). Without it the registry pulls them."""
    action = _ACTIONS.get(form.get("kind", ""))
    if action is None:
        raise InvalidChange("異動の種類を選んでください。")
    events = action(session, form, ctx)
    if push:
        for event in events:
            intake.receive(session, event, source=SOURCE)
    return events


def parse_date(value: str | None, label: str) -> date:
    text = (value or "").strip()
    if not text:
        raise InvalidChange(f"{label}を入力してください。")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidChange(f"{label}は 2026-04-01 の形式で入力してください。") from None


def _rid(form: MultiDict) -> str:
    value = (form.get("resident_id") or "").strip()
    if not value:
        raise InvalidChange("対象の住民を選んでください。")
    return value


def _new_person(form: MultiDict) -> arrivals.NewPerson:
    birth = form.get("birth_date")
    return arrivals.NewPerson(
        name=form.get("name", ""), kana=form.get("kana", ""),
        birth_date=parse_date(birth, "生年月日") if (birth or "").strip() else None, sex=form.get("sex", ""),
        address=form.get("address", ""), household_id=form.get("household_id", ""),
        relationship=form.get("relationship", ""), nationality=form.get("nationality", "") or "JP")


_ACTIONS: dict[str, Action] = {
    "move_in": lambda s, f, c: arrivals.move_in(s, _new_person(f), c),
    "special_move_in": lambda s, f, c: arrivals.move_in(s, _new_person(f), c, special=True,
                                                        cert_serial=f.get("cert_serial", "")),
    "birth": lambda s, f, c: arrivals.birth(s, _rid(f), c, given_name=f.get("given_name", ""),
                                            given_kana=f.get("given_kana", ""), sex=f.get("sex", "")),
    "move_out": lambda s, f, c: changes.move_out(s, _rid(f), c),
    "death": lambda s, f, c: changes.die(s, _rid(f), c),
    "move_within": lambda s, f, c: changes.move_within(s, _rid(f), c, address=f.get("address", ""),
                                                       whole_household=f.get("whole_household") == "1"),
    "address_renamed": lambda s, f, c: changes.move_within(s, _rid(f), c, address=f.get("address", ""),
                                                           whole_household=f.get("whole_household") == "1",
                                                           kind="address_renamed"),
    "name_change": lambda s, f, c: changes.rename(s, _rid(f), c, name=f.get("name", ""), kana=f.get("kana", ""),
                                                  old_surname=f.get("old_surname", "")),
    "common_name_set": lambda s, f, c: changes.set_common_name(s, _rid(f), c, common_name=f.get("common_name", "")),
    "common_name_cleared": lambda s, f, c: changes.clear_common_name(s, _rid(f), c),
    "household_change": lambda s, f, c: changes.change_household(s, _rid(f), c,
                                                                 household_id=f.get("household_id", ""),
                                                                 relationship=f.get("relationship", "")),
    "guardianship_started": lambda s, f, c: changes.start_guardianship(s, _rid(f), c),
    "record_corrected": lambda s, f, c: corrections.correct_particulars(
        s, _rid(f), c, birth_date=parse_date(f["birth_date"], "生年月日") if (f.get("birth_date") or "").strip()
        else None, sex=f.get("sex", "")),
    "kana_changed": lambda s, f, c: corrections.change_kana(s, _rid(f), c, kana=f.get("kana", "")),
    "katakana_name_changed": lambda s, f, c: corrections.change_katakana_name(
        s, _rid(f), c, katakana_name=f.get("katakana_name", "")),
    "cancellation": lambda s, f, c: changes.cancel(s, f.get("cancels_event_id", ""), c),
}
# The forms the page offers for a selected resident, in the order shown (arrivals have their own form).
FORM_KINDS = ("move_out", "death", "move_within", "address_renamed", "name_change", "record_corrected", "kana_changed",
              "katakana_name_changed", "common_name_set", "common_name_cleared", "household_change",
              "guardianship_started", "birth")
