"""5.3 引換交付 (a new card, or the switch between 印鑑登録証 and 個人番号カード) and 5.2.4 暗証番号 at the counter."""

from __future__ import annotations

import httpx

from handlers.base import HandlerError, ServiceContext
from handlers.environment import RegistrySettings
from handlers.results import CardExchanged, CardFound, PinChanged
from juki.jlis import normalize_serial
from registry.errors import RegistryError
from registry.seals import card_exchange, pin, records
from registry.seals.models import RecordStatus, Registration

CARD_KINDS = {"registration_card": card_exchange.REGISTRATION_CARD, "mynumber_card": card_exchange.MYNUMBER_CARD}
RETURNED = {"damaged": "破損・汚損した登録証を返納", "switch": "登録証の切替（返納）", "mynumber": "個人番号カードの利用をやめる"}


def find(ctx: ServiceContext, identity_document: str, card_number: str | None = None,
         resident_id: str | None = None) -> CardFound:
    """2.1.3 基本検索 by the old card's number or the resident: the active registration to exchange the card of."""
    if identity_document == "none":
        return {"found": False, "message": "本人確認ができないため引換交付できません（本人確認書類をお持ちください）"}
    if card_number:
        record = card_exchange.find_by_card(ctx.session, card_number)
    else:
        record = records.active_registration_of(ctx.session, resident_id or "")
    if record is None or record.status != RecordStatus.REGISTERED:
        return {"found": False, "message": "登録中の印鑑登録が見つかりません（登録証の番号・住民をご確認ください）"}
    ctx.name_subject(record)
    stored = pin.pin_of(ctx.session, record)
    return {"found": True, "registration_id": record.id, "registration_number": record.registration_number,
            "name": record.name, "card_kind": record.card_kind, "card_number": record.card_number,
            "has_pin": stored is not None, "pin_locked": bool(stored and stored.locked_at),
            "card_numbering": ctx.services.settings.card_numbering,  # 'preprinted': the card-number step comes up
            "message": f"{record.name}（登録番号 {record.registration_number}）の登録証を引き換えます"}


def exchange(ctx: ServiceContext, registration_id: int, card_kind: str, returned_card: str,
             new_card_number: str | None = None, mynumber_cert_serial: str | None = None) -> CardExchanged:
    """5.3 引換交付: the new card's number by the numbering mode (or 5.4 J-LIS check), announced, then written."""
    if card_kind not in CARD_KINDS or returned_card not in RETURNED:
        raise HandlerError("登録証の種別または返納の区分が正しくありません", code="bad_card_kind")
    record = records.get_registration(ctx.session, registration_id)
    serial, number = None, None
    settings = ctx.services.settings
    try:
        if card_kind == "mynumber_card":
            serial = normalize_serial(mynumber_cert_serial)
            status = ctx.services.jlis.certificate_status(serial, session=ctx.session)
            if status.valid is False:
                return {"exchanged": False, "message": status.message}
        else:
            number = card_exchange.new_card_number(record, settings.card_numbering, new_card_number)
            card_exchange.check_number_free(ctx.session, record, number)
        announce(settings, record.registration_number, card_kind, number)
        card_exchange.exchange_card(ctx.session, record, card_kind=CARD_KINDS[card_kind], card_number=number,
                                    cert_serial=serial, today=ctx.today(), operator=ctx.actor,
                                    instance_id=ctx.instance_id, returned=RETURNED[returned_card])
    except card_exchange.CardExchangeError as exc:
        return {"exchanged": False, "message": exc.message}
    ctx.name_subject(record)
    label = CARD_KINDS[card_kind] + (f"（番号 {number}）" if number else "")
    return {"exchanged": True, "card_kind": card_kind, "card_number": number,
            "message": f"{label}を引換交付しました"}


def announce(settings: RegistrySettings, registration_number: str, card_kind: str, card_number: str | None) -> None:
    """Where another system manages the cards (INKAN_CARD_SYSTEM_URL), tell it the new card before writing.

    A failure raises, so the task becomes an incident to retry and nothing is written.
    """
    if not settings.card_system_url:
        return
    payload = {"registration_number": registration_number, "card_kind": card_kind, "card_number": card_number}
    try:
        response = httpx.post(settings.card_system_url, json=payload, timeout=settings.card_system_timeout)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise HandlerError(f"登録証管理システムへの通知に失敗しました（{exc}）。再実行してください",
                           code="card_system_unavailable") from exc


PIN_NOT_KEPT = "入力された暗証番号は保存しないため、もう一度入力してください"


def change_pin(ctx: ServiceContext, registration_id: int, new_pin: str, old_pin: str | None = None) -> PinChanged:
    """5.2.4 暗証番号の変更: the resident's old PIN must match (a third miss locks it); none yet → first setting."""
    record = records.get_registration(ctx.session, registration_id)
    pepper = ctx.services.settings.pin_pepper
    if not new_pin:  # a retry after a failure: the PIN typed was not kept (writeOnly), so it is asked again
        return {"changed": False, "locked": False, "message": PIN_NOT_KEPT}
    if pin.pin_of(ctx.session, record) is not None:
        check = pin.verify_pin(ctx.session, record, old_pin or "", pepper)
        if not check.ok:
            return {"changed": False, "locked": check.locked, "message": check.message}
    return _store(ctx, record, new_pin, reset=False)


def reset_pin(ctx: ServiceContext, registration_id: int, new_pin: str) -> PinChanged:
    """5.2.4 暗証番号の再設定 by the clerk (forgotten or locked PIN): no old PIN, the lock is lifted.

    Raises HandlerError when the PIN is missing (a retry: PINs are never kept in the instance).
    """
    if not new_pin:
        raise HandlerError("入力された暗証番号は保存しないため、再実行では設定できません。事案を取り消して受け付け直してください",
                           code="pin_not_kept")
    return _store(ctx, records.get_registration(ctx.session, registration_id), new_pin, reset=True)


def set_pin(ctx: ServiceContext, registration_id: int, new_pin: str | None = None) -> PinChanged:
    """5.2.4 登録者暗証番号設定 in 4.1.2: the PIN the applicant gave with the application, on the new registration.

    Raises HandlerError pin_not_kept when the PIN is missing (a retry: PINs are never kept in the instance).
    """
    if not new_pin:
        raise HandlerError("入力された暗証番号は保存しないため、再実行では設定できません。登録後に 5.3 の窓口で設定してください",
                           code="pin_not_kept")
    return _store(ctx, records.get_registration(ctx.session, registration_id), new_pin, reset=False)


def _store(ctx: ServiceContext, record: Registration, new_pin: str, *, reset: bool) -> PinChanged:
    store = pin.reset_pin if reset else pin.set_pin
    try:
        store(ctx.session, record, new_pin, ctx.services.settings.pin_pepper, today=ctx.today(),
              operator=ctx.actor, instance_id=ctx.instance_id)
    except RegistryError as exc:  # the form's pattern lets only 4 digits through, so this is not the counter's
        raise HandlerError(exc.message, code=exc.code) from exc
    return {"changed": True, "locked": False, "message": "暗証番号を再設定しました" if reset else "暗証番号を設定しました"}


OPERATORS = [
    ("inkan.card_exchange.find", "5.3", "引換交付の対象の特定（2.1.3 基本検索）", find),
    ("inkan.card_exchange.exchange", "5.3", "引換交付（新しい登録証の紐付け）", exchange),
    ("inkan.pin.change", "5.2.4", "暗証番号の設定・変更", change_pin),
    ("inkan.pin.reset", "5.2.4", "暗証番号の再設定（窓口）", reset_pin),
    ("inkan.pin.set", "5.2.4", "登録者暗証番号設定（4.1.2）", set_pin),
]
