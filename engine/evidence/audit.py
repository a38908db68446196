"""Append-only audit events: every start, claim, completion, service call, error and retry."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.db import utcnow
from engine.evidence.chain import ChainSpec, chain_model
from engine.jsonvalues import json_default
from engine.models import AuditEvent

MAX_VALUE_CHARS = 300
MASK = "＊＊＊＊"  # a secret's value (a PIN …) never reaches the log, only that it was given
AUDIT_CHAIN = ChainSpec("audit_event", AuditEvent,
                        ("at", "actor", "actor_role", "kind", "instance_id", "spec_name", "title", "summary_json"),
                        (("at", utcnow), ("summary_json", "{}")))
chain_model(AUDIT_CHAIN)  # every AuditEvent row is chained when its transaction commits (engine/evidence/chain.py)


def record(session: Session, actor: Actor, kind: str, *, instance_id: int | None = None,
           spec_name: str | None = None, title: str | None = None, summary: dict[str, Any] | None = None) -> None:
    """Add one audit event to the current unit of work."""
    session.add(AuditEvent(actor=actor.username, actor_role=actor.role, kind=kind, instance_id=instance_id,
                           spec_name=spec_name, title=title,
                           summary_json=json.dumps(summary or {}, ensure_ascii=False, default=json_default)))


def data_changes(before: dict[str, Any], after: dict[str, Any],
                 secrets: frozenset[str] = frozenset()) -> dict[str, dict[str, Any]]:
    """The keys whose values differ, each as {before, after}, values shortened and secrets masked for the log."""
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changes[key] = {"before": _shown(key, old, secrets), "after": _shown(key, new, secrets)}
    return changes


def masked(values: Any, secrets: frozenset[str]) -> Any:
    """A copy of a dict (nested dicts too) with the secret keys' values replaced by MASK."""
    if not isinstance(values, dict) or not secrets:
        return values
    return {key: (MASK if key in secrets and value not in (None, "") else masked(value, secrets))
            for key, value in values.items()}


def _shown(key: str, value: Any, secrets: frozenset[str]) -> Any:
    return MASK if key in secrets and value not in (None, "") else _short(value)


def _short(value: Any) -> Any:
    text = json.dumps(value, ensure_ascii=False, default=json_default)
    return value if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


def events_of_instance(session: Session, instance_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id)
                                .order_by(AuditEvent.at, AuditEvent.id)))


def events_titled(session: Session, title: str, kinds: tuple[str, ...], limit: int = 50) -> list[AuditEvent]:
    """The newest events of these kinds about one subject (e.g. a staff account's name), newest first."""
    return list(session.scalars(select(AuditEvent).where(AuditEvent.title == title, AuditEvent.kind.in_(kinds))
                                .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))


def summary_of(event: AuditEvent) -> dict[str, Any]:
    return json.loads(event.summary_json or "{}")
