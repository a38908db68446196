"""Changes of a person's particulars in the simulated register that the 原票 must follow (4.3.2).

記載事項の修正 (生年月日 / 性別 corrected by the office, e.g. after the 戸籍 was corrected), 振り仮名の変更 (the
氏名の振り仮名, カナ) and カタカナ表記の変更 (a foreign resident's 氏名のカタカナ表記). Like ``juki.changes`` each
function updates the resident, logs one change row and returns the ``ResidentEvent`` it announced; every refusal
is an ``InvalidChange`` with a Japanese message. The caller owns the transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from juki.changes import ChangeContext, apply, current_resident, kana_value
from juki.client import SEXES
from juki.errors import InvalidChange
from juki.events import ResidentEvent

__all__ = ["change_kana", "change_katakana_name", "correct_particulars"]


def correct_particulars(session: Session, resident_id: str, ctx: ChangeContext, *, birth_date: date | None = None,
                        sex: str = "") -> list[ResidentEvent]:
    """記載事項の修正: a corrected 生年月日 and / or 性別 (at least one, and it must differ)."""
    row = current_resident(session, resident_id, ctx)
    values: dict[str, Any] = {}
    if birth_date is not None:
        if birth_date > ctx.today:
            raise InvalidChange("生年月日に未来の日付は指定できません。")
        ctx.check_date(birth_date)
        values["birth_date"] = birth_date
    if (sex or "").strip():
        if sex.strip() not in SEXES:
            raise InvalidChange("性別は「男」か「女」を選んでください。")
        values["sex"] = sex.strip()
    if not values:
        raise InvalidChange("修正する生年月日か性別を入力してください。")
    return [apply(session, row, "record_corrected", values, ctx)]


def change_kana(session: Session, resident_id: str, ctx: ChangeContext, *, kana: str) -> list[ResidentEvent]:
    """振り仮名の変更: the 氏名の振り仮名 (カナ) changes while the 氏名 stays."""
    row = current_resident(session, resident_id, ctx)
    return [apply(session, row, "kana_changed", {"kana": kana_value(kana, "振り仮名")}, ctx)]


def change_katakana_name(session: Session, resident_id: str, ctx: ChangeContext, *,
                         katakana_name: str) -> list[ResidentEvent]:
    """カタカナ表記の変更: only a foreign resident's 住民票 carries a カタカナ表記 of the name."""
    row = current_resident(session, resident_id, ctx)
    if row.nationality == "JP":
        raise InvalidChange("カタカナ表記は外国人住民の住民票にのみ記載できます。")
    value = kana_value(katakana_name, "カタカナ表記")
    return [apply(session, row, "katakana_name_changed", {"katakana_name": value}, ctx)]
