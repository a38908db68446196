"""The neighbours' seams as types: what the registry may ask the resident register (住基) and J-LIS.

``JukiClient`` (juki.client) and ``JlisClient`` (juki.jlis) are the two clients; ``JukiFactory`` is how the
product gets a register client for the current unit of work: the simulator reads through the caller's session,
the HTTP adapter ignores it and is its own factory. The checks at the end make mypy (``make test``) refuse an
implementation that drifts from its Protocol, so the simulator and the HTTP adapter stay interchangeable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypedDict

from sqlalchemy.orm import Session

from juki.client import JukiClient
from juki.jlis import JlisClient

__all__ = ["JlisClient", "JukiClient", "JukiFactory", "ResidentEventJson"]


class ResidentEventJson(TypedDict):
    """``ResidentEvent.to_json()``: the body of POST /api/v1/juki/events (docs/juki/openapi.yaml)."""

    event_id: str
    kind: str  # a key of juki.events.EVENT_KINDS
    resident_id: str
    effective_date: str  # YYYY-MM-DD
    recorded_at: str  # ISO date-time
    changes: dict[str, dict[str, Any]]  # field of juki.events.CHANGE_FIELDS → {"before": …, "after": …}
    cancels_event_id: str | None  # kind 'cancellation' only


class JukiFactory(Protocol):
    """A register client for one unit of work: ``SimulatedRegister`` (the class) or an ``HttpRegister`` instance."""

    def __call__(self, session: Session, /) -> JukiClient: ...


if TYPE_CHECKING:  # static conformance only: mypy checks these assignments, nothing runs
    from juki.http import HttpRegister
    from juki.jlis import SimulatedJlis
    from juki.simulator import SimulatedRegister

    _simulated_register: type[JukiClient] = SimulatedRegister
    _http_register: type[JukiClient] = HttpRegister
    _simulated_factory: JukiFactory = SimulatedRegister
    _http_factory: JukiFactory = HttpRegister("http://register.invalid")
    _simulated_jlis: type[JlisClient] = SimulatedJlis
