"""4.1.5.1 印影読込, 4.1.1.1 世帯内印影表示 (with the clerk's check of what the impression shows) and 4.1.5.2 印影登録."""

from __future__ import annotations

import json
from dataclasses import dataclass

import imaging
from handlers.base import HandlerError, ServiceContext
from handlers.environment import HandlerServices
from handlers.imaging_pool import ImagingUnavailable, Limits, compare_pairs
from handlers.operators.residents import require_resident
from handlers.results import (
    HouseholdCompared,
    HouseholdMember,
    ImpressionStored,
    Measured,
    PendingCompared,
    ShownNameChecked,
    Thresholds,
)
from juki.client import Resident
from registry.blobs.store import get_blob, put_blob
from registry.seals import records
from registry.seals.models import Impression
from registry.seals.shown_names import NameFacts, shown_name_problem


def measure(ctx: ServiceContext, scan_blob_id: str, dpi: float | None = None) -> Measured:
    """4.1.5.1: find the impression on the scan, measure it against the 8–25 mm rule, keep the normalised crop."""
    return measure_scan(ctx.session, ctx.services, scan_blob_id, dpi, ctx.actor)


def measure_scan(session, services: HandlerServices, scan_blob_id: str, dpi: float | None, actor: str) -> dict:
    """The measurement of 4.1.5.1 for a stored scan, outside a service task: the scan page shows it to the clerk
    (outline, size, warnings, refusal reasons) before the task completes, so a bad scan is read again in place.
    Raises ImagingUnavailable when the imaging pool cannot do the work."""
    blob = get_blob(session, scan_blob_id)
    try:
        read = services.imaging_pool.read(blob.data, dpi, Limits.of(services.settings), annotate=True)
    except imaging.ImagingError as exc:
        return _not_found(scan_blob_id, exc.code, exc.message)
    result = imaging.measurement_to_dict(read.measurement) | {"scan_blob_id": scan_blob_id, "dpi": read.dpi,
                                                              "dpi_source": read.dpi_source}
    result["annotated_blob_id"] = None
    if read.normalized is not None and read.annotated is not None:
        result["impression_blob_id"] = put_blob(session, read.normalized.png, "image/png",
                                                filename="impression.png", created_by=actor)
        result["mm_per_px"] = read.normalized.mm_per_px
        result["annotated_blob_id"] = put_blob(session, read.annotated, "image/png", filename="scan-annotated.png",
                                               created_by=actor)
    return result


def read_ahead(services: HandlerServices, data: bytes, dpi: float | None) -> None:
    """Measure a scan as 4.1.5.1 will, before the task's completion opens its transaction (the answer is
    remembered); never raises: what went wrong is met again, and reported, by the measurement itself."""
    try:
        services.imaging_pool.read(data, dpi, Limits.of(services.settings), annotate=True)
    except (imaging.ImagingError, ImagingUnavailable):
        return


def normalized_or_problem(services: HandlerServices, data: bytes,
                          dpi: float | None) -> imaging.NormalizedImpression | str:
    """The one impression on a scan, normalised; else why not, in Japanese (none found, extent unsure, unreadable).

    For scans that must be compared, not registered (a 保証書's stamp): the 8–25 mm rule is not applied.
    Raises ImagingUnavailable when the imaging pool cannot do the work.
    """
    try:
        read = services.imaging_pool.read(data, dpi, Limits.of(services.settings))
    except imaging.ImagingError as exc:
        return exc.message
    measurement = read.measurement
    if read.normalized is None or not measurement.size_known:
        reasons = measurement.refusal_reasons
        return reasons[0].message if reasons else "印影が見つかりません"
    return read.normalized


@dataclass(frozen=True)
class Collation:
    """2.2.1 印影照合 of one scan against a registered impression: the scan's dpi, what was measured, the
    normalised crop, the three-way comparison (同一 / 要確認 / 別) and the overlay PNG."""

    dpi: float
    dpi_source: str
    measurement: dict
    cropped: imaging.NormalizedImpression
    comparison: imaging.Comparison
    overlay: bytes


def collate_scan(services: HandlerServices, registered_png: bytes, registered_mm_per_px: float, data: bytes,
                 dpi: float | None) -> Collation:
    """2.2.1 印影照合: find the impression on a stamped document's scan and compare it with the registered one
    (the pages' way to imaging). Raise HandlerError (no_impression, the measurement's or imaging's code;
    ImagingUnavailable)."""
    pool, settings = services.imaging_pool, services.settings
    try:
        read = pool.read(data, dpi, Limits.of(settings))
        measurement = read.measurement
        if read.normalized is None or not measurement.size_known:
            refusal = measurement.refusal_reasons[0]
            raise HandlerError(refusal.message, "no_impression" if not measurement.found else refusal.code)
        cropped = read.normalized
        [compared] = pool.run(compare_pairs, [(registered_png, registered_mm_per_px, cropped.png, cropped.mm_per_px)],
                              settings.similarity)
    except imaging.ImagingError as exc:
        raise HandlerError(exc.message, exc.code) from None
    return Collation(read.dpi, read.dpi_source, imaging.measurement_to_dict(measurement), cropped,
                     compared.comparison, compared.overlay)


def _not_found(scan_blob_id: str, code: str, message: str) -> Measured:
    return {"found": False, "acceptable": False, "width_mm": 0, "height_mm": 0, "square_mm": 0, "shape": "none",
            "warnings": [], "refusal_reasons": [{"code": code, "message": message}],
            "scan_blob_id": scan_blob_id, "impression_blob_id": None, "mm_per_px": None,
            "annotated_blob_id": None}


def compare_household(ctx: ServiceContext, resident_id: str, impression_blob_id: str,
                      mm_per_px: float) -> HouseholdCompared:
    """4.1.1.1: the new impression beside every impression registered in the household, most similar first.

    Each member carries the three-way verdict (`verdict`: same 同一 / unsure 要確認 / different 別; `same` is
    true only for 同一) and a 重ね合わせ picture (new in red, registered in blue). `verdict` of the whole
    result is the most alarming one. Raises HandlerError when the resident is unknown.
    """
    resident = require_resident(ctx, resident_id)
    new_png = get_blob(ctx.session, impression_blob_id).data
    thresholds = ctx.services.settings.similarity
    registered = list(records.household_impressions(ctx.session, resident.household_id, resident_id))
    pictures = [get_blob(ctx.session, impression.image_blob).data for _, impression in registered]
    # one trip to the pool for the whole household
    compared = ctx.services.imaging_pool.run(compare_pairs, [
        (new_png, mm_per_px, other_png, impression.mm_per_px)
        for (_, impression), other_png in zip(registered, pictures, strict=True)], thresholds)
    members: list[HouseholdMember] = []
    for (record, impression), (comparison, overlay) in zip(registered, compared, strict=True):
        members.append({"resident_id": record.resident_id, "name": record.name,
                        "registration_number": record.registration_number,
                        "impression_blob_id": impression.image_blob, "score": round(comparison.score, 3),
                        "same": comparison.same, "verdict": comparison.verdict, "caution": comparison.caution,
                        "overlay_blob_id": put_blob(ctx.session, overlay, "image/png", filename="overlay.png",
                                                    created_by=ctx.actor)})
    members.sort(key=lambda m: (-m["score"], m["registration_number"] or ""))
    verdicts = {m["verdict"] for m in members}
    verdict = next((v for v in imaging.VERDICTS if v in verdicts), "different")
    return {"members": members, "same_found": "same" in verdicts, "unsure_found": "unsure" in verdicts,
            "verdict": verdict, "max_score": max((m["score"] for m in members), default=0.0),
            **_thresholds(thresholds)}


def compare_pending(ctx: ServiceContext, impression_blob_id: str, mm_per_px: float,
                    pending_impression_id: int) -> PendingCompared:
    """4.1.4.6: the newly scanned impression (normalised blob from measure) against the pending one, with the
    three-way verdict (`same` is true only for 同一).

    Raises HandlerError('impression_not_found') for an unknown impression id, ('bad_impression') when either
    picture cannot be compared.
    """
    pending = ctx.session.get(Impression, pending_impression_id)
    if pending is None:
        raise HandlerError("照合する印影（申請時の印影）が見つかりません", code="impression_not_found")
    new_png = get_blob(ctx.session, impression_blob_id).data
    pending_png = get_blob(ctx.session, pending.image_blob).data
    thresholds = ctx.services.settings.similarity
    try:
        [(comparison, overlay)] = ctx.services.imaging_pool.run(
            compare_pairs, [(new_png, mm_per_px, pending_png, pending.mm_per_px)], thresholds)
    except imaging.ImagingError as exc:
        raise HandlerError(f"印影を照合できません: {exc.message}", code="bad_impression") from exc
    return {"score": round(comparison.score, 3), "same": comparison.same, "verdict": comparison.verdict,
            "caution": comparison.caution, "angle_deg": comparison.angle_deg, "dx_mm": comparison.dx_mm, "dy_mm": comparison.dy_mm,
            "overlay_blob_id": put_blob(ctx.session, overlay, "image/png", filename="overlay.png",
                                        created_by=ctx.actor),
            **_thresholds(thresholds)}


def _thresholds(thresholds: imaging.Thresholds) -> Thresholds:
    """The thresholds a result was judged with (`threshold`, the 同一 one, kept for earlier readers)."""
    return {"threshold": thresholds.same, "threshold_same": thresholds.same,
            "threshold_different": thresholds.different}


def store(ctx: ServiceContext, resident_id: str, impression: Measured,
          override_reason: str | None = None) -> ImpressionStored:
    """4.1.5.2: keep the measured impression (and its scan) as the impression to register."""
    row = Impression(resident_id=resident_id, image_blob=impression["impression_blob_id"],
                     scan_blob=impression["scan_blob_id"], dpi=impression["dpi"],
                     mm_per_px=impression["mm_per_px"], width_mm=impression["width_mm"],
                     height_mm=impression["height_mm"], square_mm=impression["square_mm"],
                     shape=impression["shape"], warnings_json=json.dumps(impression.get("warnings", []),
                                                                         ensure_ascii=False),
                     override_reason=override_reason, stored_by=ctx.actor, instance_id=ctx.instance_id)
    ctx.session.add(row)
    ctx.session.flush()
    return {"impression_id": row.id}


def name_facts(resident: Resident) -> NameFacts:
    """The names the register records for a resident (juki.Resident), as the shown-name rule needs them."""
    return NameFacts(foreign=resident.is_foreign, old_surname=resident.old_surname,
                     common_name=resident.common_name, katakana_name=resident.katakana_name)


def check_shown_name(ctx: ServiceContext, resident_id: str, impression_decision: str | None,
                     impression_name: str | None = None, household: dict | None = None,
                     household_unsure_reason: str | None = None) -> ShownNameChecked:
    """4.1.1.1 form check: 登録可 is refused for an impression the same (同一) as one registered in the household,
    needs the clerk's reason when one is 要確認 (the clerk decides on the overlay, and the reason stays in the
    case's history), and on 登録可 the name the impression shows must be one the 住民票 records for the person.

    Raises HandlerError('same_impression_in_household') naming `impression_decision', ('household_unsure_reason_
    required') naming `household_unsure_reason`, or ('impression_name_required' | 'impression_name_unknown' |
    'impression_name_not_recorded') naming `impression_name`; the engine answers it as the form's 422 and nothing
    is written.
    """
    if impression_decision != "accept":
        return {"checked": False}
    if isinstance(household, dict) and household.get("same_found"):
        raise HandlerError("世帯内に同一の印影が登録されているため、登録可にはできません。"
                           "「世帯内に同一の印影あり（却下）」を選んでください",
                           code="same_impression_in_household", field="impression_decision")
    if isinstance(household, dict) and household.get("unsure_found") and not (household_unsure_reason or "").strip():
        raise HandlerError("世帯内に同一かどうか判定できない（要確認の）登録印影があります。重ね合わせ画像で別の印と"
                           "確かめたうえで、その理由を記入してください。同一の印であれば「世帯内に同一の印影あり（却下）」"
                           "を選んでください", code="household_unsure_reason_required", field="household_unsure_reason")
    problem = shown_name_problem(name_facts(require_resident(ctx, resident_id)), impression_name)
    if problem is not None:
        code, message = problem
        raise HandlerError(message, code=code, field="impression_name")
    return {"checked": True}


OPERATORS = [
    ("inkan.impression.measure", "4.1.5.1", "印影読込・測定", measure),
    ("inkan.impression.compare_household", "4.1.1.1", "世帯内印影表示（類似度）", compare_household),
    ("inkan.impression.store", "4.1.5.2", "印影登録", store),
    ("inkan.impression.compare_pending", "4.1.4.6", "照会回答時の印影照合", compare_pending),
    ("inkan.impression.check_shown_name", "4.1.1.1", "印影の表す氏名の確認", check_shown_name),
]
