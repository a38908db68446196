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

    @property
    def issuer(self) -> str:
        """「見本市 市民課」: who issues the document, as the PDF's author."""
        return f"{self.municipality} {self.section}"


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
    # the name the impression shows (氏名 full_name, 氏 surname, 名 given_name, 旧氏 old_surname, 通称 common_name,
    # カタカナ表記 katakana_name); None when not recorded
    impression_name: str | None = None


@dataclass(frozen=True)
class Impression:
    """A registered impression: RGBA PNG with a transparent background, its scale and measured size."""

    png: bytes
    mm_per_px: float
    width_mm: float
    height_mm: float


@dataclass(frozen=True)
class Addressee:
    """A window-envelope address: postcode 「100-0001」, the address, and the name (「様」 is added)."""

    postcode: str
    address: str
    name: str


@dataclass(frozen=True)
class Closure:
    """Why and when a record became a 除票 (closed record)."""

    closed_on: date
    reason: str


@dataclass(frozen=True)
class Inquiry:
    """A 照会書兼回答書: the pending application it asks about and where the letter goes."""

    inquiry_number: str
    application_kind: str
    applied_on: date
    answer_deadline: date
    applicant_name: str
    addressee: Addressee


@dataclass(frozen=True)
class CertificateRequest:
    """One 印鑑登録証明書 to print: the record, its impression, serial, issue time and the QR payload."""

    record: RegistrationRecord
    impression: Impression
    serial: str
    issued_at: datetime
    qr_payload: str


@dataclass(frozen=True)
class DeletionNotice:
    """A 抹消通知書: which registration was deleted (抹消), when and why, and where the notice goes."""

    registration_number: str
    name: str
    deleted_on: date
    reason: str
    addressee: Addressee
