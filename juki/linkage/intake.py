"""The seam to the registry's event intake: linkage hands each event to a ``Receive`` it is given.

The intake itself (``handlers.linkage.intake.receive``: store before acting, a second delivery of an event id is a no-op)
is wired in by the product, so this package depends on nothing above it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from sqlalchemy.orm import Session

from juki.events import ResidentEvent

__all__ = ["Receive", "take_in"]


class Receive(Protocol):
    """Store one event in the caller's transaction; False when its event id was already received."""

    def __call__(self, session: Session, event: ResidentEvent, *, source: str) -> bool: ...


def take_in(session: Session, events: Iterable[ResidentEvent], receive: Receive, source: str) -> tuple[int, int]:
    """Hand the events to the intake in order; return (new, duplicates)."""
    new = duplicates = 0
    for event in events:
        if receive(session, event, source=source):
            new += 1
        else:
            duplicates += 1
    return new, duplicates
