"""The resident-event (連動) seam as types: what handlers.linkage.triage.triage is given and what a resident-event flow
starts with.

``triage`` decides one event of the register with what the intake knows around it (``EventHistory``); a STARTED
decision starts the flow whose message start event catches the event, carrying a ``ResidentEventMessage``, which
the flow's handlers (handlers.operators.juki_rendou) take as their ``event`` parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from juki.contracts import ResidentEventJson
from juki.events import ResidentEvent

__all__ = ["EventHistory", "ResidentEventMessage"]


class ResidentEventMessage(ResidentEventJson):
    """The start data of a resident-event flow (handlers.linkage.triage): the event and the registration it concerns."""

    label: str  # the event kind in the register's words (転出, 死亡, …)
    registration_id: int
    registration_number: str
    action: str | None  # for a cancellation: 'restore' or 'correct'
    cancelled_kind: str | None


class EventHistory(Protocol):
    """What the intake knows around one resident event when handlers.linkage.triage.triage decides it."""

    @property
    def cancelled(self) -> ResidentEvent | None:
        """The event a cancellation undoes, if it was received."""
        ...

    @property
    def later_processed(self) -> Sequence[ResidentEvent]:
        """Later-dated events of the person already processed."""
        ...
