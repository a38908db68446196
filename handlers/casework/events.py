"""Resident-register changes for cases (4.2.2 / 4.3.2 住民記録連動): recorded in the simulated register the way the
simulator page records them, and message payloads for paths the triage never sends.

A change is {"change": KIND, "args": {…}} with KIND one of CHANGES, or {"change": "cancel", "of": N} for the
異動の取消し of the case's N-th recorded event (counting from 0).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from handlers.casework.errors import UnknownChange
from handlers.environment import HandlerServices
from handlers.linkage.intake import EventOutcome, get_received, receive
from juki import changes, corrections
from juki.events import ResidentEvent
from registry.seals import records

__all__ = ["CHANGES", "deliver", "message_payload", "record_change", "started_by"]

ACTOR = "casework"
SOURCE = "casework"  # the intake's source of the events cases record


def deliver(session: Session, events: list[ResidentEvent]) -> None:
    """Store the case's resident events in the intake, in the caller's transaction (as the linkage does)."""
    for event in events:
        receive(session, event, source=SOURCE)


def started_by(session: Session, event_id: str) -> tuple[int | None, str]:
    """The instance an event started (None when it started none) and what the intake made of it."""
    row = get_received(session, event_id)
    if row is None:
        return None, "通知が受け付けられていません"
    label = EventOutcome.LABELS.get(row.outcome or "", row.outcome or "未処理")
    return row.instance_id, f"{label}: {row.reason}" if row.reason else label
Change = Callable[[Session, str, changes.ChangeContext, dict[str, Any]], list[ResidentEvent]]
CHANGES: dict[str, Change] = {
    "move_out": lambda s, rid, ctx, _args: changes.move_out(s, rid, ctx),
    "death": lambda s, rid, ctx, _args: changes.die(s, rid, ctx),
    "guardianship_started": lambda s, rid, ctx, _args: changes.start_guardianship(s, rid, ctx),
    "move_within": lambda s, rid, ctx, args: changes.move_within(s, rid, ctx, **args),
    "household_change": lambda s, rid, ctx, args: changes.change_household(s, rid, ctx, **args),
    "name_change": lambda s, rid, ctx, args: changes.rename(s, rid, ctx, **args),
    "record_corrected": lambda s, rid, ctx, args: corrections.correct_particulars(
        s, rid, ctx, birth_date=date.fromisoformat(args["birth_date"]) if args.get("birth_date") else None,
        sex=args.get("sex", "")),
    "kana_changed": lambda s, rid, ctx, args: corrections.change_kana(s, rid, ctx, **args),
}


def record_change(session: Session, services: HandlerServices, resident_id: str, step: dict[str, Any],
                  recorded: list[ResidentEvent]) -> list[ResidentEvent]:
    """Record one change of the resident, effective today; its events (not delivered yet)."""
    today = services.today()
    ctx = changes.ChangeContext(effective_date=today, actor=ACTOR, today=today, recorded_at=datetime.now(UTC))
    kind = step.get("change")
    if kind == "cancel":
        index = step.get("of")
        if not isinstance(index, int) or not 0 <= index < len(recorded):
            raise UnknownChange(f"取り消す異動 of={index!r} はこのケースで記録されていません")
        return changes.cancel(session, recorded[index].event_id, ctx)
    if kind not in CHANGES:
        raise UnknownChange(f"異動の種類 {kind!r} は記録できません（{', '.join([*CHANGES, 'cancel'])}）")
    return CHANGES[kind](session, resident_id, ctx, step.get("args", {}))


def message_payload(session: Session, services: HandlerServices, event: dict[str, Any],
                    resident_id: str) -> dict[str, Any]:
    """A resident event as the message carries it: `event`'s keys over today's defaults for the resident, with
    "$applicant", "$registration_id" and "$registration_number" filled from the resident's newest record."""
    record = next(iter(records.registrations_of(session, resident_id)), None)
    values = {"$applicant": resident_id, "$registration_id": record.id if record else None,
              "$registration_number": record.registration_number if record else None}
    base: dict[str, Any] = {"event_id": f"case-{uuid.uuid4().hex[:12]}", "resident_id": resident_id,
            "effective_date": services.today().isoformat(), "recorded_at": datetime.now(UTC).isoformat(),
            "changes": {}, "cancels_event_id": None, "action": None, "cancelled_kind": None}
    return base | {key: values.get(value, value) if isinstance(value, str) else value for key, value in event.items()}
