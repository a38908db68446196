"""The `$…` placeholders of case data, filled in when a step's data or an expected value is used.

  $applicant / $guarantor        the case's applicant (resident id) / its registered guarantor's number
  $registration_number           the applicant's registration (the active one, else the newest): its number
  $registration_id               … its record id
  $applicant_birth_date          the applicant's birth date in the register (ISO), as a caller answers it (4.4.1.2)
  $inquiry_number                the 照会番号 of the case's 4.1.4 application as its letter prints it (with the random part)
  $inquiry_reference             … the reference part alone, as pages show it (typed without the letter: refused)
  $history:REASON                the id of the newest history entry 「REASON」 or 「REASON（…）」 of that record (4.5)
  $scan:TEXT[:SIZE_MM[:SHAPE[:INK]]]   a generated seal scan, stored as a blob    $blank   a scan with no impression
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from handlers.casework.errors import UnknownPlaceholder
from handlers.casework.scans import blank_scan, seal_scan
from handlers.environment import HandlerServices
from juki.client import require_resident
from registry.blobs.store import put_blob
from registry.seals import records
from registry.seals.models import RecordStatus, Registration

__all__ = ["fill"]

InstanceData = Callable[[], dict]


def fill(session: Session, services: HandlerServices, value: Any, context: dict[str, Any],
         instance_data: InstanceData) -> Any:
    """`value` (nested dicts and lists too) with every placeholder replaced; raise UnknownPlaceholder."""
    if isinstance(value, dict):
        return {k: fill(session, services, v, context, instance_data) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(session, services, v, context, instance_data) for v in value]
    if not isinstance(value, str) or not value.startswith("$"):
        return value
    return _one(session, services, value, context, instance_data)


def _one(session: Session, services: HandlerServices, value: str, context: dict[str, Any],
         instance_data: InstanceData) -> Any:
    if value in ("$applicant", "$guarantor"):
        if value[1:] not in context:
            raise UnknownPlaceholder(f"{value} はこのケースにありません（guarantor: registered を指定してください）")
        return context[value[1:]]
    if value == "$registration_number":
        return _record(session, context).registration_number
    if value == "$registration_id":
        return _record(session, context).id
    if value == "$applicant_birth_date":
        return require_resident(services.juki_factory(session), context["applicant"]).birth_date.isoformat()
    if value in ("$inquiry_number", "$inquiry_reference"):
        reference = (instance_data().get("inquiry") or {}).get("inquiry_number")
        application = records.application_by_inquiry_number(session, reference)
        return records.printed_inquiry_number(application) if application and value == "$inquiry_number" \
            else reference
    if value.startswith("$history:"):
        return _history_entry(session, _record(session, context), value[len("$history:"):])
    if value == "$blank":
        return put_blob(session, blank_scan(), "image/png")
    if value.startswith("$scan:"):
        return put_blob(session, _seal(value[len("$scan:"):]), "image/png")
    raise UnknownPlaceholder(f"不明なプレースホルダ {value}")


def _record(session: Session, context: dict[str, Any]) -> Registration:
    """The applicant's active registration, else the newest one."""
    found = records.registrations_of(session, context["applicant"])
    record = next((r for r in found if r.status == RecordStatus.REGISTERED), found[0] if found else None)
    if record is None:
        raise UnknownPlaceholder(f"申請者 {context['applicant']} には印鑑登録がありません")
    return record


def _history_entry(session: Session, record: Registration, reason: str) -> int:
    for entry in reversed(records.history_of(session, record.id)):
        if entry.reason == reason or entry.reason.startswith(f"{reason}（"):
            return entry.id
    raise UnknownPlaceholder(f"原票 {record.registration_number} に履歴「{reason}」がありません")


def _seal(spec: str) -> bytes:
    text, *rest = spec.split(":")
    try:
        options: dict[str, Any] = {"size_mm": float(rest[0])} if rest else {}
        if len(rest) > 1:
            options["shape"] = rest[1]
        if len(rest) > 2:
            options["ink"] = float(rest[2])
        return seal_scan(text, **options)
    except (ValueError, TypeError) as exc:
        raise UnknownPlaceholder(f"$scan:{spec} は $scan:文字[:大きさmm[:形[:濃さ]]] で指定してください") from exc
