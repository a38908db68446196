"""Which 除票 may be purged, and purging one: the record and what exists only because of it.

A record closed on day D may be purged once D lies at least the retention period (INKAN_RETENTION_YEARS, default
5 years) back. Purging removes the 除票, its impression and images, the documents and certificates printed from it
(rows and PDFs), its PIN and its print-queue items. Counter fee rows and コンビニ交付 log rows are kept under their
own rules but lose the link to it. Its history rows must be gone first: the caller replaces them by the hash
chain's tombstones (engine/evidence/tombstones.py), which the database requires before it lets a history row go.
A blob another row still uses is kept.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import date, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from registry.blobs.models import Blob
from registry.csv_text import csv_text
from registry.documents.fees import CounterIssue
from registry.documents.models import IssuedCertificate, PrintBatchJob, PrintQueueItem
from registry.errors import PurgeRefused
from registry.jidou.models import JidouRequest
from registry.konbini.models import KonbiniRequest
from registry.retention.models import PurgeBatch
from registry.seals.models import HistoryEntry, Impression, IssuedDocument, RecordStatus, Registration
from registry.seals.pin import RegistrationPin
from registry.settings.models import MunicipalitySettings

__all__ = ["PURGE_LIST_COLUMNS", "PurgeLine", "check_closed_before", "purge_lines", "purge_list_csv", "purge_record",
           "purgeable", "recent_batches", "remove_unused_blobs", "retention_cutoff"]

PURGE_LIST_COLUMNS = ("登録番号", "状態", "登録年月日", "廃止・抹消日", "廃止・抹消の理由", "異動履歴（件）",
                      "帳票（件）", "証明書（件）")


@dataclass(frozen=True)
class PurgeLine:
    """One line of the purge list: which 除票, and how much went with it. No name, no address."""

    registration_number: str
    status: str
    registered_on: date
    closed_on: date | None  # set on every 除票, the only records a purge list holds
    close_reason: str
    history_rows: int
    documents: int
    certificates: int


def retention_cutoff(today: date, years: int) -> date:
    """The newest closing day a record may have to be purged today (29 February falls back to the 28th)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def check_closed_before(closed_before: date, today: date, years: int) -> date:
    """Refuse (PurgeRefused) a limit that would take a record still inside its retention period; the cutoff."""
    cutoff = retention_cutoff(today, years)
    if closed_before > cutoff + timedelta(days=1):
        raise PurgeRefused(f"保存期間（廃止・抹消から{years}年）を過ぎていない除票は消去できません。"
                           f"{closed_before.isoformat()} より前に廃止・抹消された除票には {cutoff.isoformat()} より後の"
                           f"ものが含まれます（指定できるのは {(cutoff + timedelta(days=1)).isoformat()} まで）")
    return cutoff


def purgeable(session: Session, closed_before: date) -> list[Registration]:
    """The 除票 closed before the day, oldest first."""
    return list(session.scalars(select(Registration).where(Registration.status != RecordStatus.REGISTERED,
                                                           Registration.closed_on.is_not(None),
                                                           Registration.closed_on < closed_before)
                                .order_by(Registration.closed_on, Registration.id)))


def purge_lines(session: Session, records: list[Registration]) -> list[PurgeLine]:
    return [PurgeLine(r.registration_number, RecordStatus.LABELS.get(r.status, r.status), r.registered_on,
                      r.closed_on, r.close_reason or "", _count(session, HistoryEntry, r.id),
                      _count(session, IssuedDocument, r.id), _count(session, IssuedCertificate, r.id))
            for r in records]


def _count(session: Session, model, registration_id: int) -> int:
    return session.scalar(select(func.count()).select_from(model).where(model.registration_id == registration_id)) or 0


def purge_list_csv(lines: list[PurgeLine]) -> str:
    """The purge list as CSV (CRLF); a cell a spreadsheet would read as a formula is prefixed with 「'」."""
    return csv_text(PURGE_LIST_COLUMNS, (astuple(line) for line in lines))


def purge_record(session: Session, record: Registration, cutoff: date) -> set[str]:
    """Delete the 除票 and what exists only because of it; return the blobs it used (for remove_unused_blobs).

    Raise PurgeRefused when the record is active or closed after ``cutoff``, or when its history is still there.
    """
    if record.status == RecordStatus.REGISTERED or record.closed_on is None or record.closed_on > cutoff:
        raise PurgeRefused(f"登録番号 {record.registration_number} は保存期間内のため消去できません")
    if _count(session, HistoryEntry, record.id):
        raise PurgeRefused(f"登録番号 {record.registration_number} の異動履歴が残っています（先に墓標に置き換えます）")
    impression = session.get(Impression, record.impression_id)
    blobs = {impression.image_blob, impression.scan_blob} if impression else set()
    for model in (IssuedDocument, IssuedCertificate, PrintQueueItem):
        blobs |= set(session.scalars(select(model.blob_sha256).where(model.registration_id == record.id)))
        session.execute(delete(model).where(model.registration_id == record.id))
    session.execute(delete(RegistrationPin).where(RegistrationPin.registration_id == record.id))
    session.execute(update(CounterIssue).where(CounterIssue.registration_id == record.id)
                    .values(registration_id=None, resident_id=None))
    session.execute(update(KonbiniRequest).where(KonbiniRequest.registration_id == record.id)
                    .values(registration_id=None))
    session.execute(update(JidouRequest).where(JidouRequest.registration_id == record.id)
                    .values(registration_id=None))
    session.delete(record)
    session.flush()
    if impression is not None:
        session.delete(impression)
        session.flush()
    return {sha for sha in blobs if sha}


BLOB_USES = ((Impression.image_blob,), (Impression.scan_blob,), (IssuedDocument.blob_sha256,),
             (IssuedCertificate.blob_sha256,), (PrintQueueItem.blob_sha256,), (PrintBatchJob.blob_sha256,),
             (KonbiniRequest.document_sha,), (JidouRequest.document_sha,), (MunicipalitySettings.office_seal_blob,), (PurgeBatch.list_blob,))


def remove_unused_blobs(session: Session, shas: set[str]) -> int:
    """Delete the blobs no registry row uses any more; the number deleted."""
    used = set()
    for (column,) in BLOB_USES:
        used |= set(session.scalars(select(column).where(column.in_(shas))))
    unused = sorted(shas - used)
    if unused:
        session.execute(delete(Blob).where(Blob.sha256.in_(unused)))
    return len(unused)


def recent_batches(session: Session, limit: int = 50) -> list[PurgeBatch]:
    return list(session.scalars(select(PurgeBatch).order_by(PurgeBatch.id.desc()).limit(limit)))

