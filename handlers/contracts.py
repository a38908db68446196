"""What crosses the seam between the engine and the handlers, as types mypy checks (``make test``).

A handler is called with the service task's parameters (task data, JSON values) and answers a mapping of JSON
values that the engine merges into the task data: ``HandlerResult``. Each operator's answer has its own
TypedDict in ``handlers.results``. Two keys of an answer mean something to the engine itself:

- ``continue_with`` (``FollowUp``): start that process in the same transaction, the flow handing over to it
  (4.1.2 → 4.1.4); the engine puts ``{process_id, instance_id}`` (``FollowUpStarted``) back under the key.
- the documents a handler printed go to ``ServiceContext.printed`` (``PrintedDocument``), not into the answer:
  the engine audits them with the service call.

Resident-event flows start with a ``ResidentEventMessage`` (the register's event and the registration it
concerns); their handlers take it as the ``event`` parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, Protocol, TypedDict

from juki.contracts import ResidentEventJson
from juki.events import ResidentEvent

__all__ = ["FOLLOW_UP_KEY", "EventHistory", "FollowUp", "FollowUpStarted", "HandlerResult", "PrintedDocument",
           "Refusal", "ResidentEventMessage"]

# A handler's answer: JSON values by name, merged into the task data. TypedDicts (handlers.results) are Mappings.
HandlerResult = Mapping[str, Any]

FOLLOW_UP_KEY = "continue_with"


class FollowUp(TypedDict):
    """``continue_with`` in an answer: the process to start next and its start data."""

    process_id: str
    data: dict[str, Any]


class FollowUpStarted(TypedDict):
    """What the engine puts back under ``continue_with`` once it started the follow-up."""

    process_id: str
    instance_id: int


class Refusal(TypedDict):
    """The business "no" a clerk explains: a code (a key of the handler's REFUSALS) and its Japanese message."""

    reason: str
    message: str


class PrintedDocument(TypedDict):
    """One document a handler produced, for the service call's audit event."""

    document: str  # its title, e.g. 原票確認票
    blob: str | None  # the PDF's blob (sha256)
    filename: str
    reprint_reason: NotRequired[str | None]


class ResidentEventMessage(ResidentEventJson):
    """The start data of a resident-event flow (handlers.rendou): the event and the registration it concerns."""

    label: str  # the event kind in the register's words (転出, 死亡, …)
    registration_id: int
    registration_number: str
    action: str | None  # for a cancellation: 'restore' or 'correct'
    cancelled_kind: str | None


class EventHistory(Protocol):
    """What the intake knows around one resident event when handlers.rendou.triage decides it."""

    @property
    def cancelled(self) -> ResidentEvent | None:
        """The event a cancellation undoes, if it was received."""
        ...

    @property
    def later_processed(self) -> Sequence[ResidentEvent]:
        """Later-dated events of the person already processed."""
        ...
