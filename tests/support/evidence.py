"""Tampering with the evidence as an attacker with database rights would: lift the append-only triggers."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import text

from engine.database import is_postgresql


@contextmanager
def without_append_only(session, table: str):
    """Lift the append-only trigger of `table` inside the caller's transaction and put it back afterwards."""
    if is_postgresql(session):
        session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))
        yield
        session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only"))
    else:
        session.execute(text(f"DROP TRIGGER {table}_no_update"))
        session.execute(text(f"DROP TRIGGER {table}_no_delete"))
        yield
        for action in ("UPDATE", "DELETE"):
            session.execute(text(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                                 f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"))


def set_audit_title(session_factory, event_id: int, title: str | None) -> None:
    """Rewrite one audit event's title behind the application's back, committed (or put the original back)."""
    with session_factory.begin() as session, without_append_only(session, "audit_event"):
        session.execute(text("UPDATE audit_event SET title = :t WHERE id = :id"), {"t": title, "id": event_id})
