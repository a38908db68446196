"""The engine's seams as types: how the runner gets a handler context, names a new instance's subject and calls
a service task's handler. The product wires them once (webui.wiring); tests pass their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy.orm import Session

from handlers.base import ServiceContext, Subject
from handlers.contracts import HandlerResult

__all__ = ["ContextFactory", "ServiceCaller", "SubjectResolver"]


class ContextFactory(Protocol):
    """A handler context for one service call in the runner's unit of work (the product adds its services)."""

    def __call__(self, *, session: Session, actor: str, instance_id: int, task_name: str) -> ServiceContext: ...


class ServiceCaller(Protocol):
    """What the script engine calls for a service task: (SpiffWorkflow task, operator id, parameters) → answer."""

    def __call__(self, task: Any, operator_id: str, params: dict[str, Any], /) -> HandlerResult: ...


# Whose case a new instance is, from its start data (None: not known yet, its handlers name it later).
SubjectResolver = Callable[[Session, dict[str, Any]], Subject | None]
