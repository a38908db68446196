"""Start 4.2.2 / 4.3.2 scenarios the way production does: a change recorded in the simulated register.

A case with ``"events"`` records those changes in the simulator (``juki.changes``), hands them to the intake and
runs the worker's round; the instance under test is the one the last event started. A case with ``"message"``
starts the flow directly by its message (for paths the triage never sends, e.g. a record closed meanwhile):
``{"name": "juki.death", "event": {...}}`` where ``$applicant`` / ``$registration_id`` are filled in.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from engine.actor import SYSTEM
from engine.intake import get_received, receive
from engine.runtime import RunOutcome
from juki import changes, corrections
from juki.events import ResidentEvent
from registry.seals import records
from tests.support.flow import COUNTER

CHANGES = {
    "move_out": lambda s, rid, ctx, _a: changes.move_out(s, rid, ctx),
    "death": lambda s, rid, ctx, _a: changes.die(s, rid, ctx),
    "guardianship_started": lambda s, rid, ctx, _a: changes.start_guardianship(s, rid, ctx),
    "move_within": lambda s, rid, ctx, a: changes.move_within(s, rid, ctx, **a),
    "household_change": lambda s, rid, ctx, a: changes.change_household(s, rid, ctx, **a),
    "name_change": lambda s, rid, ctx, a: changes.rename(s, rid, ctx, **a),
    "record_corrected": lambda s, rid, ctx, a: corrections.correct_particulars(
        s, rid, ctx, birth_date=date.fromisoformat(a["birth_date"]) if a.get("birth_date") else None,
        sex=a.get("sex", "")),
    "kana_changed": lambda s, rid, ctx, a: corrections.change_kana(s, rid, ctx, **a),
}


def start_case(product, process_id: str, case: dict, context: dict) -> RunOutcome:
    """The instance a case runs: from recorded changes, from a direct message, or an ordinary start."""
    if "events" in case:
        return _from_events(product, case["events"], context)
    if "message" in case:
        payload = _fill(product, case["message"]["event"], context)
        return product.runner.start_by_message(case["message"]["name"], payload, SYSTEM)
    return product.runner.start(process_id, COUNTER, {"resident_id": context["applicant"]})


def _from_events(product, steps: list[dict], context: dict) -> RunOutcome:
    recorded: list[ResidentEvent] = []
    for step in steps:
        with product.session_factory.begin() as session:
            ctx = changes.ChangeContext(effective_date=product.services.today(), actor="bpmn_tests",
                                        today=product.services.today(), recorded_at=datetime.now(UTC))
            if step["change"] == "cancel":
                events = changes.cancel(session, recorded[step["of"]].event_id, ctx)
            else:
                events = CHANGES[step["change"]](session, context["applicant"], ctx, step.get("args", {}))
            for event in events:
                receive(session, event, source="bpmn_tests")
        recorded.extend(events)
        product.process_resident_events()
    with product.session_factory() as session:
        row = get_received(session, recorded[-1].event_id)
        assert row.instance_id is not None, f"no flow started: {row.outcome} {row.reason}"
        instance_id = row.instance_id
    return RunOutcome(instance_id, "started")


def _fill(product, event: dict[str, Any], context: dict) -> dict[str, Any]:
    resident_id = context["applicant"]
    with product.session_factory() as session:
        record = next(iter(records.registrations_of(session, resident_id)), None)
    values = {"$applicant": resident_id, "$registration_id": record.id if record else None,
              "$registration_number": record.registration_number if record else None}
    base = {"event_id": f"bpmn-{uuid.uuid4().hex[:12]}", "resident_id": resident_id,
            "effective_date": product.services.today().isoformat(), "recorded_at": datetime.now(UTC).isoformat(),
            "changes": {}, "cancels_event_id": None, "action": None, "cancelled_kind": None}
    return base | {key: values.get(value, value) if isinstance(value, str) else value for key, value in event.items()}
