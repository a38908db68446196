"""Writing the record: every change is a new history entry; nothing is overwritten without one."""

from __future__ import annotations

import hmac
import json
import secrets
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.errors import NotEligible, RecordNotFound
from registry.seals import cards
from registry.seals.models import (
    Application,
    HistoryEntry,
    Impression,
    IssuedDocument,
    RecordStatus,
    Registration,
)
from registry.seals.numbering import NumberFormat, assign_number, check_digit

ALREADY_REGISTERED_MESSAGE = "既に印鑑登録されています（1人1個まで）"
SNAPSHOT_FIELDS = ("registration_number", "status", "name", "kana", "old_surname", "common_name",
                   "katakana_name", "birth_date", "sex", "address", "household_id", "card_kind", "card_number",
                   "impression_name")


@dataclass(frozen=True)
class PersonSnapshot:
    """The resident register's data copied onto the record at registration."""

    resident_id: str
    household_id: str
    name: str
    kana: str
    birth_date: date
    sex: str
    address: str
    old_surname: str | None = None
    common_name: str | None = None
    katakana_name: str | None = None


def active_registration_of(session: Session, resident_id: str) -> Registration | None:
    return session.scalars(select(Registration).where(Registration.resident_id == resident_id,
                                                      Registration.status == RecordStatus.REGISTERED)).first()


def active_numbers_of(session: Session, resident_ids: Iterable[str]) -> dict[str, str]:
    """Resident id → the number of their active registration, for a whole list page in one query."""
    wanted = set(resident_ids)
    if not wanted:
        return {}
    rows = session.execute(select(Registration.resident_id, Registration.registration_number)
                           .where(Registration.resident_id.in_(wanted),
                                  Registration.status == RecordStatus.REGISTERED)
                           .order_by(Registration.id))
    return {resident_id: number for resident_id, number in rows}


def registrations_of(session: Session, resident_id: str) -> list[Registration]:
    return list(session.scalars(select(Registration).where(Registration.resident_id == resident_id)
                                .order_by(Registration.id.desc())))


def registration_by_number(session: Session, number: str) -> Registration | None:
    return session.scalars(select(Registration).where(Registration.registration_number == number)).first()


def get_registration(session: Session, registration_id: int) -> Registration:
    record = session.get(Registration, registration_id)
    if record is None:
        raise RecordNotFound("印鑑登録原票が見つかりません")
    return record


def history_of(session: Session, registration_id: int) -> list[HistoryEntry]:
    return list(session.scalars(select(HistoryEntry).where(HistoryEntry.registration_id == registration_id)
                                .order_by(HistoryEntry.processed_at, HistoryEntry.id)))


def register(session: Session, person: PersonSnapshot, impression: Impression, *, identity_path: str,
             today: date, operator: str, instance_id: int | None, number_format: NumberFormat,
             impression_name: str | None = None, extra_after: dict[str, Any] | None = None) -> Registration:
    """4.1.2.1: create the record with a 1.3.2 number; raise NotEligible when the person is already registered.

    Two counters registering the same person at once: the 1.3.2 counter row is locked first, so the second waits
    for the first to commit and then sees its record (and the unique index catches anything else); the refusal
    rolls back to a savepoint, so the number taken is given back and numbers stay gapless.
    `impression_name` is the name the impression shows (registry.seals.shown_names), checked by the caller.
    `extra_after` (e.g. the impression's warnings and the override reason) is added to the 「登録」 entry's after-values.
    """
    try:
        with session.begin_nested():
            number = assign_number(session, number_format)  # holds the counter row lock until commit
            _refuse_if_registered(session, person.resident_id)
            record = Registration(registration_number=number, registered_on=today,
                                  status=RecordStatus.REGISTERED, impression_id=impression.id,
                                  impression_name=impression_name, identity_path=identity_path,
                                  instance_id=instance_id, **asdict(person))
            session.add(record)
            session.flush()
    except IntegrityError:
        _refuse_if_registered(session, person.resident_id)  # the unique index lost us the race
        raise
    add_history(session, record, "登録", today, operator, instance_id, before={},
                after=snapshot(record) | (extra_after or {}))
    return record


def _refuse_if_registered(session: Session, resident_id: str) -> None:
    if active_registration_of(session, resident_id) is not None:
        raise NotEligible(ALREADY_REGISTERED_MESSAGE, "already_registered")


def discard_impression(session: Session, impression_id: int, instance_id: int) -> bool:
    """Remove the impression an application stored and will not register (refused); True when removed.

    Only an impression stored by that instance and used by no registration goes; its images stay in the blob
    table (the instance's data still shows them).
    """
    impression = session.get(Impression, impression_id)
    if impression is None or impression.instance_id != instance_id:
        return False
    if session.scalars(select(Registration.id).where(Registration.impression_id == impression_id)).first():
        return False
    session.delete(impression)
    session.flush()
    return True


def set_card(session: Session, record: Registration, *, card_kind: str, card_number: str | None,
             cert_serial: str | None, today: date, operator: str, instance_id: int | None) -> None:
    """5.2 / 5.4: record which card identifies the registration, as a history entry.

    A 印鑑登録証 carries ``card_number`` in its normal form, or the registration number when None; raise
    CardNumberError (invalid_card_number | card_number_taken) and write nothing when it cannot, also when another
    counter gave the number to another record while this one was at it (5.2 / 5.3 at two counters).
    """
    if card_kind == cards.REGISTRATION_CARD:
        card_number = cards.valid_card_number(card_number or record.registration_number)
        cards.check_card_free(session, record, card_number)
    before = snapshot(record)
    try:
        with session.begin_nested():
            record.card_kind, record.card_number, record.mynumber_cert_serial = card_kind, card_number, cert_serial
            session.flush()
    except IntegrityError:  # another counter gave the same number to another record meanwhile (unique index)
        if card_number is not None:
            cards.check_card_free(session, record, card_number)
        raise
    add_history(session, record, "登録証交付", today, operator, instance_id, before=before, after=snapshot(record))


def add_history(session: Session, record: Registration, reason: str, effective: date, operator: str,
                instance_id: int | None, *, before: dict, after: dict) -> HistoryEntry:
    changed_before = {k: v for k, v in before.items() if after.get(k) != v}
    changed_after = {k: v for k, v in after.items() if before.get(k) != v}
    entry = HistoryEntry(registration_id=record.id, reason=reason, effective_date=effective, operator=operator,
                         instance_id=instance_id, before_json=_json(changed_before), after_json=_json(changed_after))
    session.add(entry)
    session.flush()
    return entry


def close_record(session: Session, record: Registration, *, status: str, reason: str, entry_reason: str,
                 effective: date, operator: str, instance_id: int | None, after: dict[str, Any] | None = None,
                 refusal_code: str = "not_active") -> HistoryEntry:
    """The one transition of an active 原票 to a 除票: 抹消 (住基 4.2.2, 職権 4.2.1) or 廃止 (4.4.1), closed on
    `effective` with `reason`; the history entry `entry_reason` (「抹消（死亡）」 …) adds `after` to its after-values.

    Raise NotEligible(refusal_code) when the record is no longer active (closed meanwhile by another flow): a
    除票 is never closed twice.
    """
    if record.status != RecordStatus.REGISTERED:
        label = RecordStatus.LABELS.get(record.status, record.status)
        raise NotEligible(f"登録番号 {record.registration_number} は既に{label}されています（除票）", refusal_code)
    before = snapshot(record) | {"close_reason": None}
    record.status, record.closed_on, record.close_reason = status, effective, reason
    session.flush()
    return add_history(session, record, entry_reason, effective, operator, instance_id, before=before,
                       after=snapshot(record) | {"close_reason": reason} | (after or {}))


def snapshot(record: Registration) -> dict[str, Any]:
    return {name: getattr(record, name) for name in SNAPSHOT_FIELDS}


def household_impressions(session: Session, household_id: str, exclude_resident: str) -> list[tuple]:
    """Active registrations of the household's other members with their impressions (4.1.1.1)."""
    query = (select(Registration, Impression).join(Impression, Registration.impression_id == Impression.id)
             .where(Registration.household_id == household_id, Registration.status == RecordStatus.REGISTERED,
                    Registration.resident_id != exclude_resident))
    return list(session.execute(query))


def close_application(session: Session, instance_id: int, *, kind: str, resident_id: str | None, status: str,
                      reason: str | None, detail: str | None, operator: str, at: datetime) -> Application:
    """Record how an application ended (registered, refused with reason, referred to 4.1.4)."""
    application = session.scalars(select(Application).where(Application.instance_id == instance_id)).first()
    if application is None:
        application = Application(instance_id=instance_id, kind=kind, operator=operator)
        session.add(application)
    application.resident_id, application.status = resident_id, status
    application.reason, application.detail, application.closed_at = reason, detail, at
    session.flush()
    return application


def _json(values: dict) -> str:
    return json.dumps(values, ensure_ascii=False, default=lambda v: v.isoformat())


def record_document(session: Session, record: Registration, *, kind: str, blob_sha256: str, filename: str,
                    printed_by: str, instance_id: int | None, reprint_reason: str | None = None) -> IssuedDocument:
    """Remember a printed document so the record's page and the auditors can find it."""
    document = IssuedDocument(registration_id=record.id, kind=kind, blob_sha256=blob_sha256, filename=filename,
                              printed_by=printed_by, instance_id=instance_id, reprint_reason=reprint_reason)
    session.add(document)
    session.flush()
    return document


def history_of_instance(session: Session, instance_id: int) -> list[HistoryEntry]:
    """The history entries one process instance wrote (for the auditors' instance view)."""
    return list(session.scalars(select(HistoryEntry).where(HistoryEntry.instance_id == instance_id)
                                .order_by(HistoryEntry.processed_at, HistoryEntry.id)))



def documents_of(session: Session, registration_id: int) -> list[IssuedDocument]:
    return list(session.scalars(select(IssuedDocument).where(IssuedDocument.registration_id == registration_id)
                                .order_by(IssuedDocument.id.desc())))


# ---- 4.1.4 照会による登録: the application waiting for its 回答書 -------------------------------------------
INQUIRY_PREFIX = "S"
CHECK_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, O: read as 1, 0
CHECK_CODE_LENGTH = 6
INQUIRY_KIND = "4.1.4"
INQUIRING = "inquiring"  # 照会中: the letter is out, the answer is awaited


def open_inquiry(session: Session, instance_id: int, *, resident_id: str, operator: str,
                 detail: str | None = None) -> Application:
    """The 4.1.4 application of an instance, created (or reopened) in state 照会中."""
    application = application_of_instance(session, instance_id)
    if application is None:
        application = Application(instance_id=instance_id, kind=INQUIRY_KIND, operator=operator)
        session.add(application)
    application.resident_id, application.status, application.detail = resident_id, INQUIRING, detail
    application.reason, application.closed_at = None, None
    application.check_code = application.check_code or new_check_code()
    session.flush()
    return application


def application_of_instance(session: Session, instance_id: int) -> Application | None:
    return session.scalars(select(Application).where(Application.instance_id == instance_id)).first()


def inquiry_number(application_id: int) -> str:
    """照会番号: 「S」, the application id in 7 digits and a モジュラス11 check digit (typing errors are caught)."""
    serial = str(application_id).zfill(7)
    return f"{INQUIRY_PREFIX}{serial}-{check_digit(serial, 'mod11')}"


def new_check_code() -> str:
    """The random part of a 照会番号 (about 27 bits): letters only, so it never runs into the digits before it,
    and none that reads like a digit (I, O)."""
    return "".join(secrets.choice(CHECK_CODE_LETTERS) for _ in range(CHECK_CODE_LENGTH))


def printed_inquiry_number(application: Application) -> str:
    """The 照会番号 as the 照会書兼回答書 prints it (and its QR code holds): the reference number and the random
    part, which only the letter carries. Applications issued before the random part existed print without it."""
    number = inquiry_number(application.id)
    return f"{number}-{application.check_code}" if application.check_code else number


@dataclass(frozen=True)
class TypedInquiryNumber:
    """A typed or scanned 照会番号, split: the application it names and the random part given (None: none)."""

    application_id: int
    check_code: str | None

    def masked(self) -> str:
        """The number for logs: the reference part, and only the length of the random part."""
        return inquiry_number(self.application_id) + (f"-{'*' * len(self.check_code)}" if self.check_code else "")


def split_inquiry_number(text: str | None) -> TypedInquiryNumber | None:
    """A typed or scanned 照会番号 (full-width, spaces, dashes, no 「S」, lower case all accepted), or None when it
    is malformed or its check digit is wrong."""
    cleaned = "".join(ch for ch in unicodedata.normalize("NFKC", text or "").upper() if ch.isascii() and ch.isalnum())
    cleaned = cleaned.removeprefix(INQUIRY_PREFIX)
    digits = cleaned.rstrip(string.ascii_uppercase)
    code = cleaned[len(digits):] or None
    application_id = _parse_reference(digits)
    return TypedInquiryNumber(application_id, code) if application_id is not None else None


def parse_inquiry_number(text: str | None) -> int | None:
    """The application id of a typed or scanned 照会番号, with or without its random part."""
    typed = split_inquiry_number(text)
    return typed.application_id if typed else None


def check_code_matches(application: Application, typed: TypedInquiryNumber) -> bool:
    """Whether the random part typed is the one printed on the application's letter (constant-time compare)."""
    if application.check_code is None:  # issued before the random part existed: the letter has none
        return True
    return typed.check_code is not None and hmac.compare_digest(typed.check_code, application.check_code)


def _parse_reference(cleaned: str) -> int | None:
    if not 2 <= len(cleaned) <= 12 or not cleaned.isdigit():
        return None
    serial, digit = cleaned[:-1], cleaned[-1]
    if check_digit(serial, "mod11") != digit or int(serial) == 0:
        return None
    return int(serial)


def application_by_inquiry_number(session: Session, text: str | None) -> Application | None:
    """The 4.1.4 application a 照会番号 names, or None when the number is malformed, mistyped or unknown."""
    application_id = parse_inquiry_number(text)
    application = session.get(Application, application_id) if application_id else None
    return application if application is not None and application.kind == INQUIRY_KIND else None


def inquiries(session: Session, *, status: str | None = INQUIRING, limit: int = 200) -> list[Application]:
    """4.1.4 applications, newest first; by default those still waiting for their answer."""
    query = select(Application).where(Application.kind == INQUIRY_KIND)
    if status:
        query = query.where(Application.status == status)
    return list(session.scalars(query.order_by(Application.id.desc()).limit(limit)))


def registration_made_by(session: Session, instance_id: int) -> Registration | None:
    """The record a process instance created, if it got that far."""
    return session.scalars(select(Registration).where(Registration.instance_id == instance_id)).first()
