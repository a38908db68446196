"""2.2.1 印影照合: compare the impression on an uploaded, stamped document with a registered impression."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from handlers.base import HandlerError
from handlers.environment import HandlerServices
from handlers.operators.impressions import collate_scan
from registry.blobs.store import BlobNotFound, get_blob, put_blob
from registry.seals.models import Impression, Registration
from webui import uploads
from webui.residents.images import TrueSize, image_size

if TYPE_CHECKING:  # the comparison's types; the work goes through handlers.operators.impressions
    import imaging

__all__ = ["CollateError", "CollateResult", "Decision", "collate", "parse_decision", "parse_dpi", "read_upload",
           "recollate", "record_decision"]

DECISIONS = {"same": "同一", "different": "別"}
MAX_REASON_CHARS = 500
DECISION_EVENT = "collate_decision"


class CollateError(Exception):
    """The upload cannot be compared (no file, not an image, no impression…); `message` is Japanese."""

    def __init__(self, message: str, code: str = "unusable_image") -> None:
        self.message, self.code = message, code
        super().__init__(message)


@dataclass(frozen=True)
class CollateResult:
    """A finished comparison: the verdict, what was measured, and the stored pictures (blob hashes)."""

    comparison: imaging.Comparison
    measurement: dict[str, Any]
    scan_sha: str
    dpi: float
    dpi_source: str
    uploaded: TrueSize
    registered: TrueSize
    overlay: TrueSize

    @property
    def percent(self) -> float:
        return round(self.comparison.score * 100, 1)

    @property
    def thresholds(self) -> imaging.Thresholds:
        return self.comparison.thresholds


@dataclass(frozen=True)
class Decision:
    """A clerk's decision on a 要確認 comparison: 'same' or 'different', with the reason."""

    decision: str
    reason: str

    @property
    def label(self) -> str:
        return DECISIONS[self.decision]


def read_upload(upload: FileStorage | None) -> bytes:
    """The uploaded file's bytes; raise CollateError when missing, empty, too large or not an image."""
    if upload is None or not upload.filename:
        raise CollateError("照合する書類のスキャン画像を選択してください", "no_file")
    try:
        return uploads.read_upload(upload, accept=uploads.IMAGE_TYPES).data
    except uploads.UploadRefused as exc:
        raise CollateError(exc.message, exc.code) from None


def parse_dpi(text: str | None) -> float | None:
    """The clerk's dpi (blank → None, i.e. the file's value); raise CollateError for anything but a number."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise CollateError("解像度（dpi）は数字で入力してください（例: 300）", "bad_dpi") from None
    if not 72 <= value <= 2400:
        raise CollateError("解像度（dpi）は72〜2400の範囲で入力してください", "bad_dpi")
    return value


def collate(session: Session, services: HandlerServices, record: Registration, data: bytes,
            dpi: float | None, username: str) -> CollateResult:
    """Measure the upload, compare it with the record's impression and store scan, crop and overlay.

    Raises CollateError (unusable upload, no impression, no registered impression); nothing is stored then.
    """
    registered = _registered_impression(session, record)
    reg_png = get_blob(session, registered.image_blob).data
    try:
        collation = collate_scan(services, reg_png, registered.mm_per_px, data, dpi)
    except HandlerError as exc:
        raise CollateError(exc.message, exc.code) from None
    cropped, overlay = collation.cropped, collation.overlay
    scan_sha = put_blob(session, data, uploads.sniff_media_type(data) or "application/octet-stream",
                        filename=_scan_filename(record), created_by=username)
    crop_sha = put_blob(session, cropped.png, "image/png", filename="collate-impression.png", created_by=username)
    overlay_sha = put_blob(session, overlay, "image/png", filename="collate-overlay.png", created_by=username)
    return CollateResult(
        comparison=collation.comparison, measurement=collation.measurement, scan_sha=scan_sha, dpi=collation.dpi,
        dpi_source=collation.dpi_source,
        uploaded=TrueSize(crop_sha, cropped.width_px, cropped.height_px, cropped.mm_per_px),
        registered=_true_size(registered.image_blob, reg_png, registered.mm_per_px),
        overlay=_true_size(overlay_sha, overlay, registered.mm_per_px))


def parse_decision(decision: str | None, reason: str | None) -> Decision:
    """The clerk's decision from the form; raise CollateError when it is not 同一 / 別 or has no reason."""
    if decision not in DECISIONS:
        raise CollateError("判断（同一・別）を選んでください", "bad_decision")
    reason = (reason or "").strip()
    if not reason:
        raise CollateError("判断の理由を入力してください（重ね合わせ画像のどこを見て判断したか）", "reason_required")
    if len(reason) > MAX_REASON_CHARS:
        raise CollateError(f"判断の理由は{MAX_REASON_CHARS}文字以内で入力してください", "reason_too_long")
    return Decision(decision, reason)


def recollate(session: Session, services: HandlerServices, record: Registration, scan_sha: str,
              dpi: float | None, username: str) -> CollateResult:
    """The comparison again, from the scan this page stored for the same registration (the decision is
    recorded on what the server computed, never on numbers sent back by the browser).

    Raises CollateError('scan_not_found') for a scan that was not uploaded for this registration.
    """
    try:
        blob = get_blob(session, scan_sha.lower()) if _is_sha(scan_sha) else None
    except BlobNotFound:
        blob = None
    if blob is None or blob.filename != _scan_filename(record):
        raise CollateError("照合したスキャン画像が見つかりません。もう一度照合してください", "scan_not_found")
    return collate(session, services, record, blob.data, dpi, username)


def record_decision(session: Session, services: Any, actor: Any, record: Registration, result: CollateResult,
                    decision: Decision) -> None:
    """Audit the clerk's decision on a 要確認 comparison (who, the comparison, the decision, the reason).

    Raises CollateError('not_unsure') when the comparison was decided by the thresholds already.
    """
    comparison = result.comparison
    if comparison.verdict != "unsure":
        raise CollateError(f"この照合結果は「{comparison.label}」と判定済みのため、職員の判断は記録しません",
                           "not_unsure")
    services.record_audit(
        session, actor, DECISION_EVENT, title="2.2.1 印影照合（要確認の職員判断）",
        summary={"resident_id": record.resident_id, "registration_number": record.registration_number,
                 "score": comparison.score, "verdict": comparison.verdict,
                 "threshold_same": comparison.thresholds.same,
                 "threshold_different": comparison.thresholds.different,
                 "decision": decision.decision, "decision_label": decision.label, "reason": decision.reason,
                 "scan_sha": result.scan_sha, "overlay_sha": result.overlay.sha})


def _is_sha(text: str | None) -> bool:
    return bool(text) and len(text) == 64 and all(c in "0123456789abcdef" for c in text.lower())


def _scan_filename(record: Registration) -> str:
    return f"collate-{record.registration_number}-scan"


def _registered_impression(session: Session, record: Registration) -> Impression:
    impression = session.get(Impression, record.impression_id) if record.impression_id else None
    if impression is None or not impression.image_blob or not impression.mm_per_px:
        raise CollateError("この登録には照合に使える登録印影がありません", "no_registered_impression")
    return impression


def _true_size(sha: str, png: bytes, mm_per_px: float) -> TrueSize:
    width, height = image_size(png) or (0, 0)
    return TrueSize(sha, width, height, float(mm_per_px))
