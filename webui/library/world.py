"""The domain side of definition test cases: applicants from the simulated register, seal scans, history checks.

Placeholders in case data:
  $applicant / $guarantor              the prepared applicant's resident id / a registered guarantor's number
  $inquiry_number                      the 照会番号 of the case's 4.1.4 application
  $scan:TEXT[:SIZE_MM[:SHAPE[:INK]]]   a generated seal scan, stored as a blob      $blank  a scan with no impression
"expect" may hold "history": {reason: {key: value}}: the registration's history entry with that reason has those
after-values.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import imaging
from engine.definition_tests import CaseFailure, run_case
from engine.queries import instance_detail
from juki import DEMO_RESIDENTS
from juki.models import SimResident
from registry.blobs.store import put_blob
from registry.seals import records
from registry.seals.models import Registration

__all__ = ["RegistryWorld", "resolve_placeholders"]


def resolve_placeholders(session_factory, value: Any, context: dict) -> Any:
    """Replace $… placeholders in case data, storing generated scans as blobs."""
    if isinstance(value, dict):
        return {k: resolve_placeholders(session_factory, v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_placeholders(session_factory, v, context) for v in value]
    if not isinstance(value, str) or not value.startswith("$"):
        return value
    if value in ("$applicant", "$guarantor", "$inquiry_number"):
        return context[value[1:]]
    if value == "$blank":
        return _store(session_factory, imaging.make_blank_scan())
    if value.startswith("$scan:"):
        text, *rest = value[6:].split(":")
        options: dict[str, Any] = {"size_mm": float(rest[0])} if rest else {}
        if len(rest) > 1:
            options["shape"] = rest[1]
        if len(rest) > 2:
            options["ink"] = float(rest[2])
        return _store(session_factory, imaging.make_seal_scan(context.get("seal_text", text), **options))
    raise CaseFailure(f"不明なプレースホルダ {value}")


def check_history(session: Session, data: dict, wanted: dict) -> None:
    """The registration's history entries carry the wanted after-values; raise CaseFailure."""
    registration_id = (data.get("registration") or data.get("event") or {}).get("registration_id")
    if registration_id is None:
        raise CaseFailure("登録が行われていません（履歴を確認できません）")
    entries = records.history_of(session, registration_id)
    for reason, values in wanted.items():
        entry = next((e for e in entries if e.reason == reason), None)
        if entry is None:
            raise CaseFailure(f"履歴 {reason} がありません")
        after = json.loads(entry.after_json)
        for key, value in values.items():
            if after.get(key) != value:
                raise CaseFailure(f"履歴 {reason}.{key}={after.get(key)!r}（期待 {value!r}）")


def _store(session_factory, data: bytes) -> str:
    with session_factory.begin() as session:
        return put_blob(session, data, "image/png")


class RegistryWorld:
    """Cases run in a sandbox database seeded with the simulated population.

    A case that needs someone already registered first runs the document's registration case (the first case
    ending at end_registered without set-up of its own) for them, on the same version under test.
    """

    def __init__(self, product, document: dict) -> None:
        self.product = product
        self.runner = product.runner
        self.used: set[str] = set()
        self.process_id = document.get("process_id", "")
        self.registration_case = next(
            (c for c in document.get("cases", []) if c.get("expect", {}).get("end_event") == "end_registered"
             and c.get("applicant", "fresh") == "fresh" and "guarantor" not in c), None)

    def prepare(self, case: dict) -> dict[str, Any]:
        context: dict[str, Any] = {}
        applicant = case.get("applicant", "fresh")
        if applicant == "fresh":
            context["applicant"] = self.fresh_residents(1, alone=True)[0]
        elif applicant == "household_member_registered":
            first, second = self.fresh_residents(2, alone=False)
            self.register(first, case.get("household_seal"))
            context["applicant"] = second
        elif applicant == "registered":
            context["applicant"] = self.register(self.fresh_residents(1, alone=True)[0])[0]
        elif applicant.startswith("demo:"):
            context["applicant"] = DEMO_RESIDENTS[applicant[5:]]
        else:
            context["applicant"] = applicant
        if case.get("guarantor") == "registered":
            context["guarantor"] = self.register(self.fresh_residents(1, alone=True)[0])[1]
        return context

    def resolve(self, value: Any, context: dict[str, Any]) -> Any:
        if "$inquiry_number" in json.dumps(value, ensure_ascii=False):  # 4.1.4: the number on the case's letter
            with self.product.session_factory() as session:
                data = instance_detail(session, self.product.specs, context["instance_id"]).data
            context["inquiry_number"] = (data.get("inquiry") or {}).get("inquiry_number")
        return resolve_placeholders(self.product.session_factory, value, context)

    def check_records(self, session: Session, data: dict, expect: dict) -> None:
        if "history" in expect:
            check_history(session, data, expect["history"])

    def register(self, resident_id: str, seal_text: str | None = None) -> tuple[str, str]:
        """Register a resident by running the registration case; (resident id, registration number)."""
        if self.registration_case is None:
            raise CaseFailure("登録済みの住民が必要ですが、登録まで進むケースがありません")
        case = {**self.registration_case, "applicant": resident_id}
        world = _FixedSeal(self, seal_text) if seal_text else self
        result = run_case(self.runner, self.process_id, case, world)
        number = (result.data.get("registration") or {}).get("registration_number")
        if not result.passed or not number:
            raise CaseFailure(f"前提となる登録（ケース {case['id']}）に失敗しました: {result.message}")
        return resident_id, number

    def fresh_residents(self, count: int, *, alone: bool) -> list[str]:
        """Unregistered adults nobody used yet: one living alone, or `count` of the same household."""
        cutoff = date(self.product.services.today().year - 20, 1, 1)
        with self.product.session_factory() as session:
            taken = set(session.scalars(select(Registration.resident_id))) | self.used
            juki = self.product.juki(session)
            heads = select(SimResident).where(SimResident.status == "resident").order_by(SimResident.resident_id)
            for head in session.scalars(heads):
                household = juki.household_members(head.household_id)
                adults = [m.resident_id for m in household if m.birth_date < cutoff and not m.lacks_capacity
                          and m.status == "resident" and m.resident_id not in taken]
                if head.resident_id in adults and (len(household) == 1 if alone else len(adults) >= count):
                    chosen = adults[:count]
                    self.used.update(chosen)
                    return chosen
        raise CaseFailure("条件に合う住民が見つかりません")


class _FixedSeal:
    """The world with every generated scan showing one seal text (a household member's same seal)."""

    def __init__(self, world: RegistryWorld, seal_text: str) -> None:
        self.world, self.seal_text = world, seal_text

    def prepare(self, case: dict) -> dict[str, Any]:
        return {"applicant": case["applicant"], "seal_text": self.seal_text}

    def resolve(self, value: Any, context: dict[str, Any]) -> Any:
        return self.world.resolve(value, context)

    def check_records(self, session: Session, data: dict, expect: dict) -> None:
        self.world.check_records(session, data, expect)
