"""The engine's doors a case world may use while a case runs: start an instance, start one by message, read an
instance's data, hand resident events to the intake and run the worker's round over it.

The world lives below the engine (handlers/casework) and cannot import it; the wiring gives it these doors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from engine.actor import SYSTEM, Actor
from engine.runtime.queries import instance_detail
from engine.runtime.runner import WorkflowRunner
from handlers.linkage.intake import EventOutcome, get_received, receive

__all__ = ["RunnerDoors"]

SOURCE = "casework"  # the intake's source of the events cases record


class RunnerDoors:
    """handlers.casework.world.EngineDoors over a WorkflowRunner; `process_events` is the wired worker round of
    the resident-event intake (webui.wiring.Product.process_resident_events)."""

    def __init__(self, runner: WorkflowRunner, process_events: Callable[[], int]) -> None:
        self.runner, self._process_events = runner, process_events

    def start(self, process_id: str, role: str, data: dict[str, Any]) -> int:
        return self.runner.start(process_id, Actor(role, role), data).instance_id

    def start_by_message(self, name: str, payload: dict[str, Any]) -> int:
        return self.runner.start_by_message(name, payload, SYSTEM).instance_id

    def instance_data(self, instance_id: int) -> dict:
        with self.runner.session_factory() as session:
            return instance_detail(session, self.runner.specs, instance_id).data

    def deliver_events(self, session: Session, events: Sequence[Any]) -> None:
        """Store resident events (handlers.linkage.intake's ResidentEvent) in the intake, in the caller's transaction."""
        for event in events:
            receive(session, event, source=SOURCE)

    def process_events(self) -> None:
        self._process_events()

    def instance_started_by(self, event_id: str) -> tuple[int | None, str]:
        """The instance an event started (None when it started none) and what the intake made of it."""
        with self.runner.session_factory() as session:
            row = get_received(session, event_id)
        if row is None:
            return None, "通知が受け付けられていません"
        label = EventOutcome.LABELS.get(row.outcome or "", row.outcome or "未処理")
        return row.instance_id, f"{label}: {row.reason}" if row.reason else label
