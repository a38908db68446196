"""保証書 (4.1.2): the guarantor's registration, their limits, and their stamp against their registered impression.

check_guarantor answers {valid, reason, message, …}: `valid` False with a coded Japanese reason refuses the 保証書
(the application goes on as 4.1.4); `valid` True carries the stamp's three-way verdict — 同一 goes on at once,
要確認 goes to a clerk who decides on the overlay, 別 is a refusal. accept_guarantee records the accepted 保証書,
which is what the per-day and per-year limits count.
"""

from __future__ import annotations

import imaging
from handlers.base import HandlerError, ServiceContext
from handlers.imaging_pool import compare_pairs
from handlers.operators.impressions import normalized_or_problem
from handlers.operators.residents import find_resident
from handlers.results import GuaranteeAccepted, GuarantorChecked, StampCompared, StampPictures
from registry.blobs.store import BlobNotFound, get_blob, put_blob
from registry.seals import records
from registry.seals.guarantees import GuarantorRefusal, accept_guarantee, guarantor_refusal, limit_refusal
from registry.seals.models import Impression, Registration

__all__ = ["accept", "check_guarantor"]

STAMP_DIFFERENT = GuarantorRefusal("guarantor_stamp_different",
                                   "保証書の押印が保証人の登録印影と一致しません（別の印と判定）")


def check_guarantor(ctx: ServiceContext, guarantor_registration_number: str | None, resident_id: str,
                    stamp_blob_id: str | None = None, stamp_dpi: float | None = None) -> GuarantorChecked:
    """保証書: the guarantor holds an active, unsuspended registration here, is not the applicant, lives here,
    is under the per-day / per-year limits, and the stamp on the 保証書 is their registered seal."""
    number = (guarantor_registration_number or "").strip()
    record = records.registration_by_number(ctx.session, number) if number else None
    today = ctx.today()
    refusal = guarantor_refusal(record, resident_id, today)
    if refusal is not None:
        return _refused(refusal)
    assert record is not None  # guarantor_refusal refuses a number without a registration
    guarantor = find_resident(ctx, record.resident_id)
    if guarantor is None or guarantor.status != "resident":
        return _refused(GuarantorRefusal("guarantor_not_resident", "保証人が本市に住民登録されていません"))
    refusal = limit_refusal(ctx.session, record, today, ctx.services.settings.guarantee_limits,
                            instance_id=ctx.instance_id)
    if refusal is not None:
        return _refused(refusal)
    return _compare_stamp(ctx, record, resident_id, stamp_blob_id, stamp_dpi)


def _compare_stamp(ctx: ServiceContext, record: Registration, resident_id: str, stamp_blob_id: str | None,
                   stamp_dpi: float | None) -> GuarantorChecked:
    """The stamp against the guarantor's registered impression; a 同一 stamp's 保証書 is accepted at once."""
    settings = ctx.services.settings
    registered = ctx.session.get_one(Impression, record.impression_id)
    data = _stamp_scan(ctx, stamp_blob_id)
    if data is None:
        return _refused(GuarantorRefusal("guarantor_stamp_missing", "保証書の押印のスキャン画像がありません"))
    stamp = normalized_or_problem(ctx.services, data, stamp_dpi)
    if isinstance(stamp, str):
        return _refused(GuarantorRefusal("guarantor_stamp_unreadable", f"保証書の押印を読み取れません（{stamp}）"))
    registered_png = get_blob(ctx.session, registered.image_blob).data
    try:
        # the stamp first: the overlay draws it in red over the registered impression in blue (as 4.1.1.1 does)
        [(comparison, overlay)] = ctx.services.imaging_pool.run(
            compare_pairs, [(stamp.png, stamp.mm_per_px, registered_png, registered.mm_per_px)], settings.similarity)
    except imaging.ImagingError as exc:
        return _refused(GuarantorRefusal("guarantor_stamp_unreadable", f"保証書の押印を照合できません: {exc.message}"))
    found: StampCompared = {
        "verdict": comparison.verdict, "score": round(comparison.score, 3), "caution": comparison.caution,
        "threshold_same": settings.similarity.same, "threshold_different": settings.similarity.different,
        "guarantor_name": record.name, "guarantor_registration_number": record.registration_number,
        **_pictures(ctx, stamp, registered, overlay)}
    if comparison.verdict == "different":
        return {**_refused(STAMP_DIFFERENT), **found}
    shown = f"保証人 {record.name}（登録番号 {record.registration_number}）"
    if comparison.verdict == "unsure":
        return {"valid": True, "reason": "ok",
                "message": f"{shown}の押印は登録印と要確認です（職員が重ね合わせ画像で判断します）", **found}
    accept_guarantee(ctx.session, record, instance_id=ctx.instance_id, resident_id=resident_id,
                     today=ctx.today(), verdict="same", score=found["score"], decided_by=None, decision_reason=None,
                     operator=ctx.actor)
    return {"valid": True, "reason": "ok", "message": f"{shown}を確認し、保証書を受理しました（押印は登録印と同一）",
            **found}


def _pictures(ctx: ServiceContext, stamp: imaging.NormalizedImpression, registered: Impression,
              overlay: bytes) -> StampPictures:
    """The stamp (stored) and the registered impression at true size, and their overlay, for the 要確認 task."""
    return {"stamp_impression_blob_id": put_blob(ctx.session, stamp.png, "image/png", filename="guarantor-stamp.png",
                                                 created_by=ctx.actor),
            "stamp_mm_per_px": stamp.mm_per_px, "registered_impression_blob_id": registered.image_blob,
            "registered_mm_per_px": registered.mm_per_px,
            "overlay_blob_id": put_blob(ctx.session, overlay, "image/png", filename="guarantor-overlay.png",
                                        created_by=ctx.actor)}


def _stamp_scan(ctx: ServiceContext, blob_id: str | None) -> bytes | None:
    if not blob_id:
        return None
    try:
        return get_blob(ctx.session, str(blob_id)).data
    except BlobNotFound:
        return None


def _refused(refusal: GuarantorRefusal) -> GuarantorChecked:
    return {"valid": False, "reason": refusal.code, "message": refusal.message, "verdict": None}


def accept(ctx: ServiceContext, guarantor_registration_number: str, resident_id: str, decision: str,
           decision_reason: str | None = None, score: float | None = None) -> GuaranteeAccepted:
    """A 要確認 stamp that the clerk decided 「一致する」 (with a reason): the 保証書 is accepted and recorded,
    after checking the guarantor and the limits once more. When they no longer allow it (the guarantor was suspended
    or vouched for someone else while the stamp waited for the clerk) the answer is {accepted: False, reason,
    message} and the flow goes on as 4.1.4. Raises HandlerError only for a decision that is not 「一致する」."""
    if decision != "match" or not (decision_reason or "").strip():
        raise HandlerError("保証書の押印が保証人の登録印と確認されていません", code="guarantor_stamp_not_confirmed")
    record = records.registration_by_number(ctx.session, (guarantor_registration_number or "").strip())
    today = ctx.today()
    refusal = guarantor_refusal(record, resident_id, today)
    if refusal is None:
        assert record is not None  # guarantor_refusal refuses a number without a registration
        refusal = limit_refusal(ctx.session, record, today, ctx.services.settings.guarantee_limits,
                                instance_id=ctx.instance_id)
    if refusal is not None:
        return {"accepted": False, "reason": refusal.code, "message": refusal.message}
    assert record is not None
    accept_guarantee(ctx.session, record, instance_id=ctx.instance_id, resident_id=resident_id, today=today,
                     verdict="unsure", score=score, decided_by=ctx.actor, decision_reason=(decision_reason or "").strip(),
                     operator=ctx.actor)
    return {"accepted": True, "guarantor_registration_number": record.registration_number,
            "message": f"保証書を受理しました（保証人 登録番号 {record.registration_number}、押印は職員の判断で登録印と一致）"}


OPERATORS = [
    ("inkan.registry.check_guarantor", "4.1.2", "保証人の確認（保証書）", check_guarantor),
    ("inkan.registry.accept_guarantee", "4.1.2", "保証書の受理", accept),
]
