"""The instance search's query string → an engine InstanceQuery (people resolved through the resident register)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from werkzeug.datastructures import MultiDict

from engine.evidence.search import INCIDENT_FILTERS, SORTS, InstanceQuery, decode_cursor
from engine.models import InstanceStatus
from engine.outcomes import OUTCOMES
from juki import JukiError, ResidentQuery
from webui.converters import MAX_ID
from webui.templating import LANES

__all__ = ["FIELDS", "MAX_PEOPLE", "InstanceSearchForm"]

FIELDS = ("process_id", "version", "status", "outcome", "from", "to", "clerk", "lane", "name", "kana", "resident_id",
          "number", "incident", "sort", "order")
MAX_VALUE = 100
ORDERS = ("asc", "desc")
MAX_PEOPLE = 500  # a name or kana matching more people than this is too vague to search by
OFFICE_OFFSET = timedelta(hours=9)


@dataclass
class InstanceSearchForm:
    values: dict[str, str]
    messages: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args: MultiDict) -> InstanceSearchForm:
        values = {name: (args.get(name) or "").strip() for name in FIELDS}
        too_long = [name for name, value in values.items() if len(value) > MAX_VALUE]
        form = cls({name: "" if name in too_long else value for name, value in values.items()})
        form.messages.extend(f"{name} は{MAX_VALUE}文字以内で指定してください" for name in too_long)
        return form

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def args(self, **overrides) -> dict[str, str]:
        """The non-empty criteria, for links (pager, sort) that keep them."""
        return {k: v for k, v in (self.values | overrides).items() if v}

    def query(self, register, *, per_page: int, after: str | None, before: str | None) -> InstanceQuery:
        """The engine query; unusable criteria are dropped with a Japanese message in self.messages."""
        v = self.values
        return InstanceQuery(
            process_id=v["process_id"] or None, definition_id=self._int("version"),
            status=self._choice("status", InstanceStatus.ALL, "状態"),
            outcome=self._choice("outcome", tuple(OUTCOMES), "結果"), started_from=self._day("from"),
            started_to=self._day("to", next_day=True), clerk=v["clerk"] or None,
            lane=self._choice("lane", LANES, "レーン"), resident_ids=self._people(register),
            registration_number=v["number"] or None,
            incident=self._choice("incident", INCIDENT_FILTERS, "障害"),
            sort=self._choice("sort", SORTS, "並び順の項目") or "started",
            descending=self._choice("order", ORDERS, "昇順・降順") != "asc",
            per_page=per_page, after=self._cursor("after", after), before=self._cursor("before", before))

    def _choice(self, name: str, choices, label: str) -> str | None:
        value = self.values[name]
        if value and value not in choices:
            self.messages.append(f"{label}の指定 {value} は使えないため検索できません（{name}: {' / '.join(choices)}）")
            return None
        return value or None

    def _int(self, name: str) -> int | None:
        value = self.values[name]
        if value and not (value.isascii() and value.isdigit() and len(value) < 10):
            self.messages.append(f"版（{name}）は版のID（整数）で指定してください")
            return None
        return int(value) if value else None

    def _cursor(self, name: str, text: str | None) -> tuple[datetime, int] | None:
        """A page cursor from next_cursor / prev_cursor; anything else is refused, not ignored."""
        if not text:
            return None
        cursor = decode_cursor(text) if len(text) <= MAX_VALUE else None
        if cursor is None or cursor[0].tzinfo is not None or not 0 < cursor[1] <= MAX_ID:
            self.messages.append(f"ページ送りの位置（{name}）が正しくありません。検索をやり直してください")
            return None
        return cursor

    def _day(self, name: str, *, next_day: bool = False) -> datetime | None:
        """Start of the office (JST) day as naive UTC; `next_day` gives the end of the day (exclusive)."""
        try:
            day = date.fromisoformat(self.values[name])
        except ValueError:
            if self.values[name]:
                self.messages.append(f"日付 {self.values[name]} は 2026-04-01 の形式で入力してください")
            return None
        if not date(1990, 1, 1) <= day <= date(2200, 1, 1):
            self.messages.append(f"日付 {day.isoformat()} は1990年から2200年までの範囲で指定してください")
            return None
        return datetime.combine(day + timedelta(days=1 if next_day else 0), datetime.min.time()) - OFFICE_OFFSET

    def _people(self, register) -> tuple[str, ...] | None:
        """Resident ids matching name / kana / id (None: no person criterion)."""
        name, kana, resident_id = self.values["name"], self.values["kana"], self.values["resident_id"]
        if not (name or kana):
            return (resident_id,) if resident_id else None
        try:
            found = register.search(ResidentQuery(name=name or None, kana=kana or None,
                                                  resident_id=resident_id or None, include_former=True,
                                                  limit=MAX_PEOPLE + 1))
        except JukiError as exc:
            self.messages.append(exc.message)
            return ()
        if len(found) > MAX_PEOPLE:
            self.messages.append(f"氏名・カナに該当する住民が{MAX_PEOPLE}人を超えます。条件を絞ってください")
            return ()
        return tuple(r.resident_id for r in found)
