"""4.1.2.1 即時登録 with 1.3.2 numbering, 5.2 / 5.4 the card, and how an application ends."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from handlers.base import HandlerError, ServiceContext
from handlers.environment import HandlerServices
from handlers.operators.hikikae_kofu import announce
from handlers.operators.impressions import name_facts
from handlers.operators.residents import eligibility_of, require_resident
from handlers.results import (
    ApplicationRefused,
    CardIssued,
    ReferredToInquiry,
    Registered,
    RegistrationRefused,
)
from juki.client import Resident
from juki.jlis import CertificateStatus, normalize_serial
from registry.errors import CardNumberError, NotEligible
from registry.seals import records
from registry.seals.cards import check_card_free, valid_card_number
from registry.seals.models import Impression, Registration
from registry.seals.shown_names import shown_name_problem

CARD_KINDS = {"registration_card": "印鑑登録証", "mynumber_card": "個人番号カード"}
REFUSAL_LABELS = {
    "not_found": "住民記録なし", "under_15": "15歳未満", "not_resident": "市内に住所なし", "deceased": "死亡",
    "already_registered": "登録済み", "lacks_capacity": "意思能力なし",
    "impression_out_of_size": "印影の大きさが基準外", "impression_unsuitable": "登録に適さない印影（読取時の判断）",
    "same_impression_in_household": "世帯内に同一の印影",
    "impression_no_name": "氏名等を表していない印影", "impression_other_matter": "氏名以外の事項を表している印影",
    "impression_deformable": "ゴム印その他の印影を変えやすい印",
    "impression_name_not_recorded": "印影の表す氏名が住民票にない",
}
# What the counter explains when the flow gives no detail of its own (4.1.1.1 の確認結果による却下)
REFUSAL_DETAILS = {
    "same_impression_in_household": "世帯内に同一の印影が登録されています",
    "impression_no_name": "住民票に記載されている氏名・氏・名・旧氏・通称（外国人住民はカタカナ表記を含む）"
                          "又はその一部を組み合わせたもので表されていない印影は登録できません",
    "impression_other_matter": "職業・資格その他氏名以外の事項を表している印影は登録できません",
    "impression_deformable": "ゴム印その他の印鑑で変形しやすいもの（印影を変えやすい印）は登録できません",
}
MAX_REFERRAL_DETAIL = 200  # a start datum of 4.1.4 (engine: short scalars only)
REFERRAL_LABELS = {"proxy": "代理人による申請", "guarantor_invalid": "保証書が有効でない",
                   "no_identity_document": "本人確認書類なし"}


def register(ctx: ServiceContext, resident_id: str, impression_id: int, identity_path: str,
             photo_id_kind: str | None = None, guarantor_registration_number: str | None = None,
             impression_name: str | None = None) -> Registered | RegistrationRefused:
    """4.1.2.1 即時登録 and 1.3.2 印鑑登録番号付番, after checking eligibility once more.

    `registered` False (with `reason`, `label`, `message`) when the resident may no longer register: another
    counter registered them meanwhile (already_registered), or the 住民票 no longer records the name the impression
    shows (impression_name_not_recorded, e.g. the 通称 was deleted while a 4.1.4 answer was awaited); the flow takes
    its refusal path, nothing is written. `impression_name` is the name the impression shows (4.1.1.1); absent only
    for instances started before it was asked. Raises HandlerError('impression_not_found') for an impression not
    taken from this resident.
    """
    resident = require_resident(ctx, resident_id)
    eligibility = eligibility_of(ctx.session, resident, ctx.today(), ctx.services.settings.min_age)
    if not eligibility.eligible:
        return registration_refused(eligibility.reason, eligibility.message)
    impression = ctx.session.get(Impression, impression_id)
    if impression is None or impression.resident_id != resident_id:
        raise HandlerError("登録する印影が見つかりません", code="impression_not_found")
    problem = shown_name_problem(name_facts(resident), impression_name) if impression_name else None
    if problem is not None:  # the 住民票 changed since 4.1.1.1 (e.g. the 通称 was deleted)
        return registration_refused(*problem)
    try:
        record = records.register(ctx.session, person_snapshot(resident), impression, identity_path=identity_path,
                                  today=ctx.today(), operator=ctx.actor, instance_id=ctx.instance_id,
                                  number_format=ctx.services.settings.number_format, impression_name=impression_name,
                                  extra_after=impression_decision(impression)
                                  | guarantor_entry(identity_path, guarantor_registration_number))
    except NotEligible as exc:  # the other counter's registration committed while this one waited for 1.3.2
        return registration_refused(exc.reason, exc.message)
    records.close_application(ctx.session, ctx.instance_id, kind="4.1.2", resident_id=resident_id,
                              status="registered", reason=None, detail=identity_path, operator=ctx.actor,
                              at=ctx.now())
    ctx.subject.name, ctx.subject.resident_id = resident.name, resident_id
    ctx.subject.registration_number = record.registration_number
    return {"registered": True, "registration_id": record.id, "registration_number": record.registration_number,
            "registered_on": record.registered_on.isoformat()}


def guarantor_entry(identity_path: str, guarantor_registration_number: str | None) -> dict[str, str]:
    """保証書: the guarantor's registration number, for the 「登録」 history entry of the new 原票."""
    number = (guarantor_registration_number or "").strip()
    return {"guarantor_registration_number": number} if identity_path == "guarantee" and number else {}


def registration_refused(reason: str, message: str) -> RegistrationRefused:
    """What 4.1.2.1 answers when it may not register: the flow's gateway sends it to the refusal."""
    return {"registered": False, "reason": reason, "label": REFUSAL_LABELS.get(reason, reason), "message": message}


def person_snapshot(resident: Resident) -> records.PersonSnapshot:
    """The register's data of a resident (juki.Resident) as copied onto the record at registration."""
    return records.PersonSnapshot(
        resident_id=resident.resident_id, household_id=resident.household_id, name=resident.name,
        kana=resident.kana, birth_date=resident.birth_date, sex=resident.sex, address=resident.address,
        old_surname=resident.old_surname, common_name=resident.common_name, katakana_name=resident.katakana_name)


def impression_decision(impression: Impression) -> dict:
    """The impression's warning codes and the clerk's override reason, for the 「登録」 history entry."""
    codes = [w.get("code") for w in json.loads(impression.warnings_json or "[]") if isinstance(w, dict)]
    extra: dict = {"impression_warnings": codes} if codes else {}
    if impression.override_reason:
        extra["override_reason"] = impression.override_reason
    return extra


def issue_card(ctx: ServiceContext, registration_id: int, card_kind: str, card_number: str | None = None,
               mynumber_cert_serial: str | None = None) -> CardIssued:
    """5.2 印鑑登録証 or 5.4 個人番号カード (its 利用者証明用電子証明書 checked with J-LIS first).

    The 印鑑登録証's number: with pre-printed cards (INKAN_CARD_NUMBERING=preprinted) the number typed or scanned,
    required, normalised and free; otherwise the registration number (a typed number is not used). A refused
    number answers issued False with the reason, and the card task comes up again.
    """
    if card_kind not in CARD_KINDS:
        raise HandlerError(f"登録証の種別 {card_kind} は使えません", code="bad_card_kind")
    record = records.get_registration(ctx.session, registration_id)
    serial = normalize_serial(mynumber_cert_serial) if card_kind == "mynumber_card" else None
    if serial is not None:  # the 個人番号カード
        status = ctx.services.jlis.certificate_status(serial, session=ctx.session)
        if status.valid is False:
            return {"issued": False, "card_kind": card_kind, "card_number": None, "message": status.message}
        card_number = None
    preprinted = ctx.services.settings.card_numbering == "preprinted"
    try:
        if card_kind == "registration_card":  # pre-printed cards bring their number, else the registration number
            card_number = valid_card_number(card_number) if preprinted else None
            announced = valid_card_number(card_number or record.registration_number)
            check_card_free(ctx.session, record, announced)
        # 「印鑑登録者識別カードを印鑑登録システム以外のシステムで管理する場合は、当該カードを管理するシステムで操作する」:
        # as in 5.3, the card system is told before anything is written (a failure is an incident to retry).
        announce(ctx.services.settings, record.registration_number, card_kind,
                 announced if card_kind == "registration_card" else None)
        records.set_card(ctx.session, record, card_kind=CARD_KINDS[card_kind], card_number=card_number,
                         cert_serial=serial, today=ctx.today(), operator=ctx.actor, instance_id=ctx.instance_id)
    except CardNumberError as exc:  # the card task comes up again with the reason
        return {"issued": False, "card_kind": card_kind, "card_number": None, "reason": exc.code,
                "message": exc.message}
    shown = f"（番号 {record.card_number}）" if record.card_number else ""
    return {"issued": True, "card_kind": card_kind, "card_number": record.card_number,
            "message": f"{CARD_KINDS[card_kind]}{shown}を登録番号 {record.registration_number} に紐付けました"}


def check_card(session: Session, services: HandlerServices, record: Registration) -> CertificateStatus | None:
    """5.4 at every later use of the card: ask J-LIS again about the linked My Number card's certificate.

    None when the registration's card is a 印鑑登録証 (nothing to ask); otherwise J-LIS's answer (``valid``
    False for revoked / expired / unknown, with a Japanese ``message``).
    """
    if record.card_kind != CARD_KINDS["mynumber_card"]:
        return None
    return services.jlis.certificate_status(record.mynumber_cert_serial or "", session=session)


def refuse(ctx: ServiceContext, reason: str, detail: str | None = None, resident_id: str | None = None,
           kind: str = "4.1.2", impression_id: int | None = None) -> ApplicationRefused:
    """Close the application (of flow `kind`) as refused, with the reason the counter explains to the applicant.

    `impression_id`: the impression this application stored (4.1.5.2) and will not register; it is removed in
    the same transaction, so no impression row outlives a refused application (its images stay with the
    instance's data).
    """
    label = REFUSAL_LABELS.get(reason, reason)
    detail = detail or REFUSAL_DETAILS.get(reason)
    records.close_application(ctx.session, ctx.instance_id, kind=kind, resident_id=resident_id,
                              status="refused", reason=reason, detail=detail, operator=ctx.actor, at=ctx.now())
    discarded = records.discard_impression(ctx.session, impression_id, ctx.instance_id) if impression_id else False
    return {"reason": reason, "label": label, "message": f"申請を却下しました（{label}）: {detail or ''}".rstrip(": "),
            "impression_discarded": discarded}


def refer_to_inquiry(ctx: ServiceContext, reason: str, resident_id: str | None = None,
                     applicant: str | None = None, detail: str | None = None) -> ReferredToInquiry:
    """Neither photo ID nor a valid 保証書 (or a proxy applied): 4.1.4 照会による登録 takes over.

    The engine starts 4.1.4 with what the counter has taken so far (the result's continue_with); `detail` (why
    the 保証書 was refused) is recorded on the application and handed over as the 4.1.4 application's 備考.
    """
    label = REFERRAL_LABELS.get(reason, reason)
    detail = (detail or "").strip()[:MAX_REFERRAL_DETAIL] or None
    shown = f"{label}: {detail}" if detail else label
    records.close_application(ctx.session, ctx.instance_id, kind="4.1.2", resident_id=resident_id,
                              status="referred", reason=reason, detail=shown, operator=ctx.actor, at=ctx.now())
    handover = {"resident_id": resident_id, "applicant": applicant or "self", "inquiry_reason": reason,
                "referred_from": ctx.instance_id} | ({"note": detail} if detail else {})
    return {"reason": reason, "message": f"即時登録できないため、照会による登録（4.1.4）へ進みます（{shown}）",
            "continue_with": {"process_id": "shoukai_touroku", "data": handover}}


OPERATORS = [
    ("inkan.registry.register", "4.1.2.1", "即時登録（1.3.2 印鑑登録番号付番）", register),
    ("inkan.card.issue", "5.2", "印鑑登録証の発行・個人番号カードの利用", issue_card),
    ("inkan.application.refuse", "4.1.2", "申請の却下", refuse),
    ("inkan.application.refer_to_inquiry", "4.1.4", "照会による登録へ", refer_to_inquiry),
]
