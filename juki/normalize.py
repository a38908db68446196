"""Normalization of names, kana and search criteria, shared by every JukiClient implementation.

Stored search keys and query criteria go through the same functions, so matching is done on equal forms:
NFKC (half-width katakana and full-width alphanumerics fold), hiragana turned into katakana, no spaces.
"""

import dataclasses
import re
import unicodedata
from datetime import date, datetime

from juki.client import ResidentQuery
from juki.errors import InvalidQuery

MAX_LIMIT = 1000
_SPACES = re.compile(r"\s+")
_KANA_KEY = re.compile(r"[\u30a1-\u30fa\u30fc-\u30fe]+")  # katakana, ー, ヽ, ヾ
_RESIDENT_KEY = re.compile(r"[0-9A-Z]{1,20}")
_HIRAGANA_FIRST, _HIRAGANA_LAST, _KATAKANA_SHIFT = 0x3041, 0x309E, 0x60


def hiragana_to_katakana(text: str) -> str:
    """Return ``text`` with every hiragana (ぁ–ゖ, ゝ, ゞ) replaced by its katakana."""
    return "".join(
        chr(ord(char) + _KATAKANA_SHIFT)
        if _HIRAGANA_FIRST <= ord(char) <= _HIRAGANA_LAST and char not in "\u3099\u309a\u309b\u309c"
        else char
        for char in text
    )


def kana_key(text: str) -> str:
    """Return the space-free full-width katakana form of a kana (hiragana and half-width accepted)."""
    return _SPACES.sub("", hiragana_to_katakana(unicodedata.normalize("NFKC", text)))


def name_key(text: str) -> str:
    """Return the space-free NFKC, upper-cased form of a kanji or alphabet name."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).upper()


def address_key(text: str) -> str:
    """Return the space-free NFKC form of an address (full-width digits fold to ASCII)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def normalize_query(query: ResidentQuery) -> ResidentQuery:
    """Return a copy of ``query`` whose criteria are search keys; raises InvalidQuery on bad or no criteria."""
    normalized = dataclasses.replace(
        query,
        kana=_kana_criterion(query.kana),
        name=_blank_to_none(name_key(query.name)) if query.name is not None else None,
        birth_date=_date_criterion(query.birth_date),
        address=_blank_to_none(address_key(query.address)) if query.address is not None else None,
        resident_id=_key_criterion(query.resident_id, "住民ID"),
        household_id=_key_criterion(query.household_id, "世帯番号"),
    )
    _check_paging(normalized)
    if not has_criteria(normalized):
        raise InvalidQuery("検索条件を1つ以上入力してください（カナ、氏名、生年月日、住所、住民ID、世帯番号）。")
    return normalized


def has_criteria(query: ResidentQuery) -> bool:
    """True when at least one search criterion of a normalized query is set."""
    criteria = (query.kana, query.name, query.birth_date, query.address, query.resident_id, query.household_id)
    return any(value is not None for value in criteria)


def normalize_key(value: str, label: str) -> str:
    """Return an identifier in canonical form (NFKC, upper case); raises InvalidQuery if blank or malformed."""
    key = _key_criterion(value, label)
    if key is None:
        raise InvalidQuery(f"{label}を入力してください。")
    return key


def _kana_criterion(value: str | None) -> str | None:
    if value is None:
        return None
    key = _blank_to_none(kana_key(value))
    if key is not None and not _KANA_KEY.fullmatch(key):
        raise InvalidQuery("カナはカタカナまたはひらがなで入力してください。")
    return key


def _date_criterion(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(unicodedata.normalize("NFKC", value).strip())
        except ValueError:
            pass
    raise InvalidQuery("生年月日が正しくありません（例: 1980-05-12）。")


def _key_criterion(value: str | None, label: str) -> str | None:
    if value is None:
        return None
    key = _blank_to_none(_SPACES.sub("", unicodedata.normalize("NFKC", str(value))).upper())
    if key is not None and not _RESIDENT_KEY.fullmatch(key):
        raise InvalidQuery(f"{label}は半角英数字20桁以内で入力してください。")
    return key


def _check_paging(query: ResidentQuery) -> None:
    if not 1 <= query.limit <= MAX_LIMIT:
        raise InvalidQuery(f"表示件数は1〜{MAX_LIMIT}件で指定してください。")
    if query.offset < 0:
        raise InvalidQuery("表示開始位置は0以上で指定してください。")


def _blank_to_none(value: str) -> str | None:
    return value or None
