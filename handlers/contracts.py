"""What crosses the seam between the engine and the handlers, as types mypy checks (``make test``).

A handler is called with the service task's parameters (task data, JSON values) and answers a mapping of JSON
values that the engine merges into the task data: ``HandlerResult``. Each operator's answer has its own
TypedDict in ``handlers.results``. One key of an answer means something to the engine itself:
``continue_with`` (``FollowUp``) starts that process in the same transaction, the flow handing over to it
(4.1.2 → 4.1.4), and the engine puts ``{process_id, instance_id}`` (``FollowUpStarted``) back under the key.
The documents a handler printed go to ``ServiceContext.printed`` (``PrintedDocument``), not into the answer: the
engine audits them with the service call.

The resident-event (連動) seam has its own module, handlers.linkage.types: this one imports nothing of juki, so the
engine, which imports it, stays apart from the resident register.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

__all__ = ["FOLLOW_UP_KEY", "FollowUp", "FollowUpStarted", "HandlerResult", "PrintedDocument"]

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


class PrintedDocument(TypedDict):
    """One document a handler produced, for the service call's audit event."""

    document: str  # its title, e.g. 原票確認票
    blob: str | None  # the PDF's blob (sha256)
    filename: str
    reprint_reason: NotRequired[str | None]
