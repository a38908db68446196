"""2.2.1 印影照合: compare the impression on an uploaded, stamped document with a registered impression."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

import imaging
from handlers.services import RegistrySettings
from registry.blobs.store import get_blob, put_blob
from registry.seals.models import Impression, Registration
from webui import uploads
from webui.residents.images import TrueSize, image_size

__all__ = ["CollateError", "CollateResult", "collate", "parse_dpi", "read_upload"]


class CollateError(Exception):
    """The upload cannot be compared (no file, not an image, no impression…); `message` is Japanese."""

    def __init__(self, message: str, code: str = "unusable_image") -> None:
        self.message, self.code = message, code
        super().__init__(message)


@dataclass(frozen=True)
class CollateResult:
    """A finished comparison: the verdict, what was measured, and the stored pictures (blob hashes)."""

    comparison: imaging.Comparison
    threshold: float
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


def collate(session: Session, settings: RegistrySettings, record: Registration, data: bytes,
            dpi: float | None, username: str) -> CollateResult:
    """Measure the upload, compare it with the record's impression and store scan, crop and overlay.

    Raises CollateError (unusable upload, no impression, no registered impression); nothing is stored then.
    """
    registered = _registered_impression(session, record)
    reg_png = get_blob(session, registered.image_blob).data
    try:
        scan = imaging.load_scan(data, dpi=dpi, default_dpi=settings.default_dpi)
        measurement = imaging.measure_impression(scan, min_mm=settings.seal_min_mm, max_mm=settings.seal_max_mm)
        if not measurement.found:
            raise CollateError(measurement.refusal_reasons[0].message, "no_impression")
        cropped = imaging.normalize_impression(scan, measurement)
        comparison = imaging.compare_impressions(reg_png, registered.mm_per_px, cropped.png, cropped.mm_per_px,
                                                 threshold=settings.similarity_threshold)
        overlay = imaging.overlay_png(reg_png, registered.mm_per_px, cropped.png, cropped.mm_per_px, comparison)
    except imaging.ImagingError as exc:
        raise CollateError(exc.message, exc.code) from None
    scan_sha = put_blob(session, data, uploads.sniff_media_type(data) or "application/octet-stream",
                        filename=f"collate-{record.registration_number}-scan", created_by=username)
    crop_sha = put_blob(session, cropped.png, "image/png", filename="collate-impression.png", created_by=username)
    overlay_sha = put_blob(session, overlay, "image/png", filename="collate-overlay.png", created_by=username)
    return CollateResult(
        comparison=comparison, threshold=settings.similarity_threshold,
        measurement=imaging.measurement_to_dict(measurement), scan_sha=scan_sha, dpi=scan.dpi,
        dpi_source=scan.dpi_source,
        uploaded=TrueSize(crop_sha, cropped.width_px, cropped.height_px, cropped.mm_per_px),
        registered=_true_size(registered.image_blob, reg_png, registered.mm_per_px),
        overlay=_true_size(overlay_sha, overlay, registered.mm_per_px))


def _registered_impression(session: Session, record: Registration) -> Impression:
    impression = session.get(Impression, record.impression_id) if record.impression_id else None
    if impression is None or not impression.image_blob or not impression.mm_per_px:
        raise CollateError("この登録には照合に使える登録印影がありません", "no_registered_impression")
    return impression


def _true_size(sha: str, png: bytes, mm_per_px: float) -> TrueSize:
    width, height = image_size(png) or (0, 0)
    return TrueSize(sha, width, height, float(mm_per_px))
