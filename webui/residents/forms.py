"""2.1.3 基本検索: the search form's criteria as a juki ResidentQuery, and the widget's one-box lookup."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from werkzeug.datastructures import MultiDict

from juki import InvalidQuery, ResidentQuery

__all__ = ["SEARCH_FIELDS", "SearchForm", "lookup_query"]

SEARCH_FIELDS = ("kana", "name", "birth_date", "address", "resident_id")
_KANA = re.compile(r"^[\u3041-\u309f\u30a0-\u30ff\uff66-\uff9f\s\u3000ー・]+$")
_DIGITS = re.compile(r"^[0-9]+$")


@dataclass
class SearchForm:
    kana: str = ""
    name: str = ""
    birth_date: str = ""
    address: str = ""
    resident_id: str = ""
    include_former: bool = False

    @classmethod
    def from_args(cls, args: MultiDict) -> SearchForm:
        values = {name: (args.get(name) or "").strip() for name in SEARCH_FIELDS}
        return cls(**values, include_former=args.get("include_former") == "1")

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in SEARCH_FIELDS)

    def query(self, *, limit: int, offset: int, after: str | None = None) -> ResidentQuery:
        """The juki query; raise InvalidQuery (Japanese message) for a malformed date."""
        return ResidentQuery(kana=self.kana or None, name=self.name or None, birth_date=self._date(),
                             address=self.address or None, resident_id=self.resident_id or None,
                             include_former=self.include_former, limit=limit, offset=offset, after=after)

    def _date(self) -> date | None:
        if not self.birth_date:
            return None
        try:
            return date.fromisoformat(self.birth_date)
        except ValueError:
            raise InvalidQuery("生年月日は 2000-01-31 の形式で入力してください。") from None


def lookup_query(text: str, *, limit: int = 20) -> ResidentQuery:
    """One search box: kana when the text is kana, the resident id when digits, the name otherwise."""
    folded = unicodedata.normalize("NFKC", text).strip()
    if _DIGITS.match(folded):
        return ResidentQuery(resident_id=folded, limit=limit)
    if _KANA.match(text.strip()):
        return ResidentQuery(kana=text.strip(), limit=limit)
    return ResidentQuery(name=text.strip(), limit=limit)
