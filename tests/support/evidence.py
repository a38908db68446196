"""The evidence under load and under attack: writers appending to every hash chain at once, and tampering as an
attacker with database rights would (lifting the append-only triggers)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, text

from engine.actor import Actor
from engine.database import is_postgresql
from engine.evidence.access_log import log_view
from engine.evidence.audit import record
from registry.seals.models import HistoryEntry, Registration

WRITERS = 4


@contextmanager
def without_append_only(session, table: str):
    """Lift the table's guarding triggers inside the caller's transaction (as an attacker with DB rights would),
    then put back exactly the triggers that were there."""
    if is_postgresql(session):
        # PostgreSQL alters no table with deferred checks still queued (a row inserted earlier in the transaction):
        # run them now, then defer them again
        session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
        session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        yield
        session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        session.execute(text("SET CONSTRAINTS ALL DEFERRED"))
        return
    triggers = session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                               {"t": table}).all()
    for name, _sql in triggers:
        session.execute(text(f"DROP TRIGGER {name}"))
    yield
    for _name, sql in triggers:
        session.execute(text(sql))


def set_audit_title(session_factory, event_id: int, title: str | None) -> None:
    """Rewrite one audit event's title behind the application's back, committed (or put the original back)."""
    with session_factory.begin() as session, without_append_only(session, "audit_event"):
        session.execute(text("UPDATE audit_event SET title = :t WHERE id = :id"), {"t": title, "id": event_id})


@dataclass
class Writers:
    """Four threads appending one chained row to each of the three chains per transaction, until stopped."""

    session_factory: object
    registration_id: int
    resident_id: str
    commits: int = 0
    errors: list[BaseException] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def for_new_registration(cls, product, driver) -> Writers:
        """Writers adding history to a registration made for them (other tests' records stay as they were)."""
        registered = driver.register()
        with product.session_factory() as session:
            registration_id = session.scalar(select(Registration.id).where(
                Registration.registration_number == registered.registration_number))
        return cls(product.session_factory, registration_id, registered.resident_id)

    def __enter__(self) -> Writers:
        self._threads = [threading.Thread(target=self._append, args=(n,)) for n in range(WRITERS)]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        assert not self.errors, self.errors

    def _append(self, n: int) -> None:
        actor = Actor(f"chain-writer-{n}", "auditor")
        try:
            while not self._stop.is_set():
                with self.session_factory.begin() as session:
                    record(session, actor, "complete", title=f"writer {n}")
                    session.add(HistoryEntry(registration_id=self.registration_id, reason="検証中の追記",
                                             effective_date=date(2026, 1, 1), operator=actor.username))
                    log_view(session, actor, self.resident_id, "検証中の追記", "audit")
                with self._lock:
                    self.commits += 1
        except BaseException as exc:  # noqa: BLE001 — reported by __exit__
            self.errors.append(exc)
