"""Drive 6.1 (shomeisho_kofu), 6.2.1 (ichiji_teishi) and 6.2.2 (teishi_kaijo) through the real engine."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from engine.runtime.queries import instance_detail, open_tasks_of_instance
from engine.runtime.runner import RunOutcome
from registry.documents.fees import CounterIssue
from registry.documents.models import IssuedCertificate
from registry.seals import records
from registry.seals.models import HistoryEntry, Registration
from tests.support.flow import COUNTER

COUNTER_SUSPENSION = {"channel": "counter", "reason_kind": "seal_lost", "suspended_from": "2025-01-01",
                      "identity_document": "driving_licence"}
LIFT = {"in_person": True, "identity_document": "mynumber_card"}


class CounterDriver:
    def __init__(self, product):
        self.product = product
        self.runner = product.runner

    def step(self, outcome: RunOutcome, data: dict, actor=COUNTER) -> RunOutcome:
        task_id = outcome.next_task_id or self.open_tasks(outcome.instance_id)[0].id
        return self.runner.complete(task_id, actor, data)

    def open_tasks(self, instance_id: int):
        with self.product.session_factory() as session:
            return open_tasks_of_instance(session, instance_id)

    def open_spec_names(self, instance_id: int) -> list[str]:
        return [t.spec_name for t in self.open_tasks(instance_id)]

    def data(self, instance_id: int) -> dict[str, Any]:
        with self.product.session_factory() as session:
            return instance_detail(session, self.product.specs, instance_id).data

    # ---- 6.1 ----
    def request(self, resident_id: str, number: str | None = None, *, copies: int = 1, **fields) -> RunOutcome:
        """Start 6.1 and hand in the request; the fee task (or the refusal) is next."""
        outcome = self.runner.start("shomeisho_kofu", COUNTER, {"resident_id": resident_id})
        data = {"resident_id": resident_id, "applicant": "self", "card_kind": "registration_card",
                "card_number": number, "copies": copies} | fields
        return self.step(outcome, data)

    def issue(self, resident_id: str, number: str, *, copies: int = 1) -> RunOutcome:
        outcome = self.request(resident_id, number, copies=copies)
        assert self.open_spec_names(outcome.instance_id) == ["task_fee"], self.data(outcome.instance_id)["check"]
        outcome = self.step(outcome, {"fee_decision": "paid"})
        return self.step(outcome, {"handed_over": True})

    def close_refusal(self, outcome: RunOutcome) -> RunOutcome:
        assert self.open_spec_names(outcome.instance_id) == ["task_refusal"]
        return self.step(outcome, {"refusal_action": "close", "explained": True})

    # ---- 6.2 ----
    def suspend(self, resident_id: str, start_data: dict | None = None, **fields) -> RunOutcome:
        outcome = self.runner.start("ichiji_teishi", COUNTER, {"resident_id": resident_id} | (start_data or {}))
        return self.step(outcome, {"resident_id": resident_id} | COUNTER_SUSPENSION | fields)

    def lift(self, resident_id: str, **fields) -> RunOutcome:
        outcome = self.runner.start("teishi_kaijo", COUNTER, {"resident_id": resident_id})
        return self.step(outcome, {"resident_id": resident_id} | LIFT | fields)

    # ---- what the registry holds ----
    def record(self, resident_id: str) -> Registration:
        with self.product.session_factory() as session:
            return records.active_registration_of(session, resident_id)

    def history(self, resident_id: str, reason: str) -> list[dict]:
        with self.product.session_factory() as session:
            record = records.active_registration_of(session, resident_id)
            entries = session.scalars(select(HistoryEntry).where(HistoryEntry.registration_id == record.id,
                                                                 HistoryEntry.reason == reason)
                                      .order_by(HistoryEntry.id))
            return [json.loads(e.after_json) | {"_operator": e.operator, "_instance_id": e.instance_id}
                    for e in entries]

    def certificates_of_instance(self, instance_id: int) -> list[IssuedCertificate]:
        serials = [c["serial"] for c in self.data(instance_id).get("issuance", {}).get("certificates", [])]
        with self.product.session_factory() as session:
            return list(session.scalars(select(IssuedCertificate).where(IssuedCertificate.serial.in_(serials))))

    def counter_rows(self, instance_id: int) -> list[CounterIssue]:
        with self.product.session_factory() as session:
            return list(session.scalars(select(CounterIssue).where(CounterIssue.instance_id == instance_id)))
