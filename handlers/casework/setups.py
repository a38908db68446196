"""A case's given state beyond its applicant ("setup": [name, …]), written straight through the registry as an
earlier visit would have left it — the flow under test is never the one that made it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

import printing
from handlers.casework.factory import FACTORY
from handlers.environment import HandlerServices
from handlers.services.settings import MAX_CHARS, save_settings
from registry.errors import RecordNotFound
from registry.seals import records, suspension
from registry.seals.models import Registration
from registry.seals.pin import set_pin

__all__ = ["CASE_PIN", "SETUPS", "ensure_office_seal", "set_pin_directly", "suspend_directly"]

CASE_PIN = "1234"  # the PIN "pin_set" gives the applicant's registration (5.2.4)

Setup = Callable[[Session, HandlerServices, dict[str, Any]], None]


def ensure_office_seal(session: Session, services: HandlerServices) -> None:
    """6.1: certificates refuse to print without the office seal image in the municipality settings."""
    office = services.office(session)
    if office.office_seal_blob:
        return
    save_settings(session, services, {name: str(office.values()[name] or "") for name in MAX_CHARS}, show_sex=office.show_sex,
                  seal_png=printing.demo_office_seal_png(), actor=FACTORY, note="公印の画像（テストの前提）")


def suspend_directly(session: Session, services: HandlerServices, resident_id: str, *, days_ago: int = 1) -> None:
    """6.2.1: the resident's registration suspended since `days_ago` days, until lifted."""
    today = services.today()
    suspension.suspend(session, _active(session, resident_id), start=today - timedelta(days=days_ago), until=None,
                       today=today, operator=FACTORY.username, instance_id=None,
                       details={"suspension_reason": "テストの前提"})


def set_pin_directly(session: Session, services: HandlerServices, resident_id: str, pin: str = CASE_PIN) -> None:
    """5.2.4: the PIN as if set at an earlier visit, so a case can enter a wrong old one."""
    set_pin(session, _active(session, resident_id), pin, services.settings.pin_pepper, today=services.today(),
            operator=FACTORY.username, instance_id=None)


def _active(session: Session, resident_id: str) -> Registration:
    record = records.active_registration_of(session, resident_id)
    if record is None:
        raise RecordNotFound(f"{resident_id} には有効な印鑑登録がありません（applicant: registered が必要です）")
    return record


def _guarantor(session: Session, context: dict[str, Any]) -> Registration:
    record = records.registration_by_number(session, context.get("guarantor") or "")
    if record is None:
        raise RecordNotFound("保証人の印鑑登録がありません（guarantor: registered が必要です）")
    return record


SETUPS: dict[str, Setup] = {
    "office_seal": lambda session, services, context: ensure_office_seal(session, services),
    "suspended": lambda session, services, context: suspend_directly(session, services, context["applicant"]),
    "pin_set": lambda session, services, context: set_pin_directly(session, services, context["applicant"]),
    "guarantor_suspended": lambda session, services, context: suspend_directly(
        session, services, _guarantor(session, context).resident_id),
}
