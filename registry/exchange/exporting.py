"""Writing the whole registry out in the exchange layout (the same files `inkan registry import` reads).

Everything is written in a fixed order (records by 登録番号, history by record then as it happened, certificates
by serial), dates as ISO 8601 in the office's time (+09:00), impressions as the stored image bytes: exporting an
imported set gives the same bytes back. Rows are streamed (yield_per), so memory stays flat however large.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.blobs.models import Blob
from registry.documents.models import IssuedCertificate
from registry.exchange import layout as L
from registry.exchange.reading import JST
from registry.seals.models import Application, HistoryEntry, Impression, Registration
from registry.seals.records import INQUIRING, INQUIRY_KIND, printed_inquiry_number

__all__ = ["ExportCounts", "export_registry"]

EXTENSIONS = {"image/png": ".png", "image/tiff": ".tif"}
STREAM = 1000


@dataclass
class ExportCounts:
    registrations: int = 0
    history: int = 0
    inquiries: int = 0
    certificates: int = 0
    images: int = 0
    missing_images: list[str] = field(default_factory=list)  # 登録番号 whose impression image is gone
    files: dict[str, int] = field(default_factory=dict)


def export_registry(session: Session, directory: Path, package: dict,
                    progress: Callable[[int, int], None] | None = None) -> ExportCounts:
    """Write the set into `directory` (created; existing set files are overwritten); `package` is the
    docs/exchange/datapackage.json descriptor, written with each resource's bytes and hash."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / L.IMAGE_DIR).mkdir(exist_ok=True)
    counts = ExportCounts()
    total = session.scalar(select(func.count()).select_from(Registration)) or 0
    guarantors = _guarantors_from_history(session)
    with _writer(directory / L.REGISTRATIONS, L.REGISTRATION_COLUMNS) as out:
        query = (select(Registration, Impression.mm_per_px, Blob.media_type, Blob.data)
                 .outerjoin(Impression, Registration.impression_id == Impression.id)
                 .outerjoin(Blob, Blob.sha256 == Impression.image_blob)
                 .order_by(Registration.registration_number).execution_options(yield_per=STREAM))
        for record, mm_per_px, media_type, data in session.execute(query):
            image = ""
            if data is None:  # never dropped silently: the row is written, the import will name the missing file
                counts.missing_images.append(record.registration_number)
            else:
                image = f"{L.IMAGE_DIR}/{record.registration_number}{EXTENSIONS.get(media_type, '.png')}"
                (directory / image).write_bytes(data)
                counts.images += 1
            out.writerow(_registration_row(record, image, mm_per_px, guarantors.get(record.id)))
            counts.registrations += 1
            if progress and counts.registrations % STREAM == 0:
                progress(counts.registrations, total)
    with _writer(directory / L.HISTORY, L.HISTORY_COLUMNS) as out:
        history = (select(Registration.registration_number, HistoryEntry)
                   .join(Registration, HistoryEntry.registration_id == Registration.id)
                   .order_by(Registration.registration_number, HistoryEntry.processed_at, HistoryEntry.id)
                   .execution_options(yield_per=5 * STREAM))
        current, seq = None, 0
        for number, entry in session.execute(history):
            seq = seq + 1 if number == current else 1
            current = number
            out.writerow((number, seq, entry.reason, entry.effective_date.isoformat(), _moment(entry.processed_at),
                          entry.operator, entry.before_json, entry.after_json))
            counts.history += 1
    with _writer(directory / L.INQUIRIES, L.INQUIRY_COLUMNS) as out:
        pending = session.scalars(select(Application).where(Application.kind == INQUIRY_KIND,
                                                            Application.status == INQUIRING))
        rows = sorted((a.external_number or printed_inquiry_number(a), a.resident_id or "", _moment(a.created_at),
                       a.operator, L.encode(L.INQUIRY_STATUS, a.status)) for a in pending)
        out.writerows(rows)
        counts.inquiries = len(rows)
    with _writer(directory / L.CERTIFICATES, L.CERTIFICATE_COLUMNS) as out:
        issued = (select(IssuedCertificate, Registration.registration_number)
                  .join(Registration, IssuedCertificate.registration_id == Registration.id)
                  .order_by(IssuedCertificate.serial).execution_options(yield_per=5 * STREAM))
        for certificate, number in session.execute(issued):
            out.writerow((certificate.serial, number, certificate.issued_at.replace(tzinfo=JST).isoformat(),
                          L.encode(L.CHANNELS, certificate.channel), certificate.issued_by))
            counts.certificates += 1
    if progress:
        progress(counts.registrations, total)
    _write_package(directory, package, counts)
    return counts


class _writer:
    """A CSV file of the layout: UTF-8 without BOM, CRLF, the header first."""

    def __init__(self, path: Path, columns: tuple[str, ...]) -> None:
        self.path, self.columns = path, columns

    def __enter__(self):
        self.file = self.path.open("w", encoding="utf-8", newline="")
        writer = csv.writer(self.file, lineterminator="\r\n")
        writer.writerow(self.columns)
        return writer

    def __exit__(self, *exc) -> None:
        self.file.close()


def _registration_row(r: Registration, image: str, mm_per_px: float, guarantor: str | None) -> tuple:
    def day(value) -> str:
        return value.isoformat() if value else ""

    return (r.registration_number, day(r.registered_on), L.encode(L.STATUSES, r.status), day(r.closed_on),
            r.close_reason or "", r.resident_id, r.household_id, r.name, r.old_surname or "", r.common_name or "",
            r.katakana_name or "", r.kana, day(r.birth_date), r.sex, r.address, L.encode(L.IDENTITY_PATHS, r.identity_path),
            r.guarantor_number or guarantor or "", r.card_kind or "", _card_number(r),
            r.mynumber_cert_serial or "", image, format(round(25.4 / mm_per_px, 2), "g") if mm_per_px else "",
            L.encode(L.SHOWN_NAMES, r.impression_name), day(r.suspended_from), day(r.suspended_until))


def _card_number(r: Registration) -> str:
    # a 印鑑登録証 carrying the registration number is written empty: the file says "the registration number"
    if r.card_kind == "印鑑登録証" and r.card_number == r.registration_number:
        return ""
    return r.card_number or ""


def _guarantors_from_history(session: Session) -> dict[int, str]:
    """4.1.2 keeps the 保証人's number in the record's 「登録」 entry (records registered here)."""
    query = (select(HistoryEntry.registration_id, HistoryEntry.after_json)
             .join(Registration, HistoryEntry.registration_id == Registration.id)
             .where(Registration.identity_path == "guarantee", Registration.guarantor_number.is_(None),
                    HistoryEntry.reason == "登録"))
    found = {}
    for registration_id, after in session.execute(query):
        number = json.loads(after or "{}").get("guarantor_registration_number")
        if number:
            found[registration_id] = str(number)
    return found


def _moment(value: datetime) -> str:
    """A stored (naive UTC) time in the office's time, ISO 8601 with its offset."""
    return value.replace(tzinfo=UTC).astimezone(JST).isoformat()


def _write_package(directory: Path, package: dict, counts: ExportCounts) -> None:
    described = json.loads(json.dumps(package))
    for resource in described.get("resources", []):
        path = directory / resource["path"]
        if path.is_file():
            data = path.read_bytes()
            resource["bytes"] = len(data)
            resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
            counts.files[resource["path"]] = len(data)
    text = json.dumps(described, ensure_ascii=False, indent=2) + "\n"
    (directory / L.PACKAGE).write_text(text, encoding="utf-8")
