"""How a case ended, read from the end event it reached (the declarations are in engine/outcomes.py)."""

from __future__ import annotations

from typing import Any

from engine.errors import EngineError
from engine.library.expressions import evaluate
from engine.outcomes import (
    MAX_LABEL,
    MAX_REASON,
    OUTCOME_REASON_PROPERTY,
    Outcome,
    declared_outcome,
    declared_properties,
)

__all__ = ["outcome_of_end"]


def outcome_of_end(task) -> Outcome:
    """The outcome of the end event `task` (a completed SpiffWorkflow task) with its data.

    An end event without a declared outcome (a definition authored before outcomes) reads as its own name, so no
    list ever says only 完了. A reason expression that fails leaves the reason out: the case has ended all the same.
    """
    spec = task.task_spec
    code, label = declared_outcome(spec)
    if code is None:
        return Outcome("ended", (spec.bpmn_name or "終了")[:MAX_LABEL])
    reason = None
    source = declared_properties(spec).get(OUTCOME_REASON_PROPERTY)
    if source:
        try:
            value: Any = evaluate(source, task.data)
        except EngineError:
            value = None
        if value not in (None, "", [], {}):
            reason = str(value)[:MAX_REASON]
    return Outcome(code, (label or code)[:MAX_LABEL], reason)
