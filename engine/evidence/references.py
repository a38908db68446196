"""What the engine's rows still point to: the data of live instances, and any state or audit summary that names a
value (a blob's hash). The registry's orphan sweep asks before it removes anything."""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, InstanceStatus, ProcessInstance

__all__ = ["LIVE_STATUSES", "ids_in_live_data", "live_instance_ids", "mentioned_anywhere"]

LIVE_STATUSES = (InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.ERROR, InstanceStatus.SUSPENDED)


def live_instance_ids(session: Session) -> set[int]:
    """Instances that may still go on (running, waiting, in error, suspended)."""
    return set(session.scalars(select(ProcessInstance.id).where(ProcessInstance.status.in_(LIVE_STATUSES))))


def ids_in_live_data(session: Session, key_suffix: str) -> set[int]:
    """Every integer a live instance's data holds under a key ending in `key_suffix` (e.g. "impression_id")."""
    # The state is JSON holding the task data (sometimes once more as an escaped JSON string): match both.
    pattern = re.compile(rf'{re.escape(key_suffix)}\\?"\s*:\s*(\d+)')
    found: set[int] = set()
    for state in session.scalars(select(ProcessInstance.state).where(ProcessInstance.status.in_(LIVE_STATUSES))):
        found.update(int(value) for value in pattern.findall(state or ""))
    return found


def mentioned_anywhere(session: Session, token: str) -> bool:
    """Does any instance's state (whatever its status) or any audit event's summary contain `token`?"""
    like = f"%{token}%"
    if session.scalars(select(ProcessInstance.id).where(ProcessInstance.state.like(like)).limit(1)).first():
        return True
    return session.scalars(select(AuditEvent.id).where(or_(AuditEvent.summary_json.like(like))).limit(1)).first() \
        is not None
