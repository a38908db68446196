"""Plain input records for the printed documents (no database, no framework)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Office:
    """The issuing office: 「見本市」, 「見本市長」, the mayor's name, 「市民課」, address/phone lines."""

    municipality: str
    mayor_title: str
    mayor_name: str
    section: str
    contact: str


@dataclass(frozen=True)
class HistoryLine:
    """One 異動履歴 entry: when it was entered, when it takes effect, why, by whom, and what changed."""

    processed_at: datetime
    effective_date: date
    reason: str
    operator: str
    summary: str


@dataclass(frozen=True)
class RegistrationRecord:
    """The printable fields of one 印鑑登録原票; status is 「登録」, 「廃止」 or 「抹消」."""

    registration_number: str
    status: str
    registered_on: date
    name: str
    kana: str
    old_surname: str | None
    common_name: str | None
    katakana_name: str | None
    birth_date: date
    sex: str
    address: str
    household_id: str
    resident_id: str
    card_kind: str | None
    card_number: str | None


@dataclass(frozen=True)
class Impression:
    """A registered impression: RGBA PNG with a transparent background, its scale and measured size."""

    png: bytes
    mm_per_px: float
    width_mm: float
    height_mm: float
