"""The engine's doors a case world may use while a case runs: start an instance, start one by message, read an
instance's data and run a wired worker round (the resident-event intake's, which the engine does not know).

The world lives below the engine (handlers/casework) and cannot import it; the wiring gives it these doors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.actor import SYSTEM, Actor
from engine.runtime.queries import instance_detail
from engine.runtime.runner import WorkflowRunner

__all__ = ["RunnerDoors"]


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

    def process_events(self) -> None:
        self._process_events()
