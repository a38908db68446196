"""Sign-in throttling per account name and per client address, kept in the database for every web process.

Each attempt is counted as a failure *before* the password is checked (`admit`), in one short transaction
that locks the counters, so attempts sent in parallel from several processes each use up a try; a correct
password then takes its count back (`forgive`). After FREE_FAILURES failures every further attempt waits a
delay that doubles per failure (capped); after LOCK_AFTER failures of one account name the account is locked
for LOCK_FOR, and each failure after the lock locks it again until a sign-in succeeds or an admin unlocks it.
A counter quiet for FORGET_AFTER starts again from zero.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry.staff.models import LoginThrottle

__all__ = ["ACCOUNT", "ADDRESS", "DEFAULT_POLICY", "Admission", "ThrottlePolicy", "account_counters", "address_key",
           "admit", "forgive", "unlock"]

ACCOUNT, ADDRESS = "account", "address"
KEY_CHARS = 100


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int = 5
    first_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=15)
    lock_after: int = 10  # account names only: an office's shared address is never locked, only slowed
    lock_for: timedelta = timedelta(minutes=15)
    forget_account_after: timedelta = timedelta(hours=24)
    forget_address_after: timedelta = timedelta(minutes=15)

    def delay(self, failures: int) -> timedelta | None:
        """How long the next attempt waits after `failures` failures (None: no wait)."""
        if failures < self.free_failures:
            return None
        doublings = min(failures - self.free_failures, 20)
        return min(self.max_delay, self.first_delay * 2**doublings)

    def forget_after(self, kind: str) -> timedelta:
        return self.forget_account_after if kind == ACCOUNT else self.forget_address_after


DEFAULT_POLICY = ThrottlePolicy()


@dataclass(frozen=True)
class Admission:
    """The outcome of `admit`: refused (with until when and why) or let through with the counts so far."""

    refused_by: str | None  # ACCOUNT (locked or slowed) / ADDRESS (slowed) / None: the password may be checked
    locked: bool = False  # refused because the account is locked (not just slowed)
    retry_after: int = 0  # seconds
    failures: int = 0  # the account name's failures, this attempt included
    address_failures: int = 0
    locks_account: bool = False  # this attempt, if it fails, locks the account


def address_key(remote_addr: str | None) -> str:
    """The client address as counted: IPv4 as is, IPv6 by its /64 (one subscriber's whole network)."""
    try:
        address = ipaddress.ip_address((remote_addr or "").strip())
    except ValueError:
        return (remote_addr or "unknown")[:KEY_CHARS]
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


def admit(session: Session, account: str, address: str, now: datetime,
          policy: ThrottlePolicy = DEFAULT_POLICY) -> Admission:
    """Refuse the attempt while a counter's delay or lock runs; otherwise count it as a failure in advance."""
    rows = _locked_rows(session, {ACCOUNT: account[:KEY_CHARS], ADDRESS: address[:KEY_CHARS]}, now, policy)
    waits = [(until, row) for row in rows.values()
             for until in (row.blocked_until, row.locked_until) if until is not None and until > now]
    if waits:
        until, row = max(waits, key=lambda wait: wait[0])
        locked_until = rows[ACCOUNT].locked_until
        locked = locked_until is not None and locked_until > now
        for unused in [r for r in rows.values() if r.failures == 0]:
            session.delete(unused)  # a counter made just now for a refused attempt holds nothing
        return Admission(refused_by=row.kind, locked=locked,
                         retry_after=max(1, math.ceil((until - now).total_seconds())),
                         failures=rows[ACCOUNT].failures, address_failures=rows[ADDRESS].failures)
    for row in rows.values():
        _count_failure(row, now, policy)
    return Admission(refused_by=None, failures=rows[ACCOUNT].failures, address_failures=rows[ADDRESS].failures,
                     locks_account=rows[ACCOUNT].locked_until is not None)


def forgive(session: Session, account: str, address: str) -> None:
    """A correct password: the account name starts again from zero, the address takes back this attempt."""
    rows = _rows(session, {ACCOUNT: account[:KEY_CHARS], ADDRESS: address[:KEY_CHARS]}, for_update=True)
    for row in rows:
        row.failures = max(0, row.failures - 1) if row.kind == ADDRESS else 0
        row.blocked_until = None  # this attempt was let through, so any earlier delay had run out
        if row.kind == ACCOUNT:
            row.locked_until = None
        if row.failures == 0:
            session.delete(row)


def account_counters(session: Session, accounts: list[str]) -> dict[str, LoginThrottle]:
    """The failure counters of these account names (names without failures have none), by name."""
    if not accounts:
        return {}
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.kind == ACCOUNT,
                                                       LoginThrottle.key.in_(accounts)))
    return {row.key: row for row in rows}


def unlock(session: Session, account: str) -> int:
    """Clear an account name's counter (an admin's unlock); return the failures it had."""
    row = session.scalars(select(LoginThrottle).where(LoginThrottle.kind == ACCOUNT,
                                                      LoginThrottle.key == account[:KEY_CHARS])
                          .with_for_update()).first()
    if row is None:
        return 0
    failures = row.failures
    session.delete(row)
    return failures


def _count_failure(row: LoginThrottle, now: datetime, policy: ThrottlePolicy) -> None:
    row.failures += 1
    row.last_failure_at = now
    delay = policy.delay(row.failures)
    row.blocked_until = now + delay if delay else None
    if row.kind == ACCOUNT and row.failures >= policy.lock_after:
        row.locked_until = now + policy.lock_for


def _locked_rows(session: Session, keys: dict[str, str], now: datetime,
                 policy: ThrottlePolicy) -> dict[str, LoginThrottle]:
    """The two counters, created when missing and locked (in a fixed order), stale ones reset and old ones pruned."""
    cutoff = now - max(policy.forget_account_after, policy.forget_address_after)
    session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < cutoff)
                    .execution_options(synchronize_session=False))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for _ in range(5):  # another attempt may prune a stale counter between our insert and our lock: again
        for kind, key in sorted(keys.items()):
            session.execute(dialect.insert(LoginThrottle).values(kind=kind, key=key, failures=0)
                            .on_conflict_do_nothing(index_elements=["kind", "key"]))
        rows = {row.kind: row for row in _rows(session, keys, for_update=True)}
        if len(rows) == len(keys):
            break
    else:
        raise RuntimeError("login_throttle: the counters could not be locked")
    for kind, row in rows.items():
        if row.last_failure_at is not None and now - row.last_failure_at > policy.forget_after(kind):
            row.failures, row.blocked_until, row.locked_until = 0, None, None
    return rows


def _rows(session: Session, keys: dict[str, str], *, for_update: bool = False) -> list[LoginThrottle]:
    query = (select(LoginThrottle).where(or_(*(tuple_(LoginThrottle.kind, LoginThrottle.key) == (kind, key)
                                               for kind, key in keys.items())))
             .order_by(LoginThrottle.kind, LoginThrottle.key).execution_options(populate_existing=True))
    return list(session.scalars(query.with_for_update() if for_update else query))
