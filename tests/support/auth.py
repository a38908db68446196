"""Sign-in test helpers: a clock tests move, a fresh account per test, a client from its own address, and the
account events the audit holds for a name."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.models import AuditEvent
from registry.staff import accounts

PASSWORD = "right-password-0123"


class Clock:
    """The product's clock, moved by the test (no sleeping)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(product, monkeypatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr(product.services, "clock", moved)
    return moved


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    id: int


def fresh_account(product, role: str = "madoguchi", prefix: str = "u") -> Account:
    """A new staff account with its own name (tests that lock or sign out never touch the shared role users)."""
    name = f"{prefix}-{secrets.token_hex(4)}"
    with product.session_factory.begin() as session:
        user = accounts.add_user(session, name, role, PASSWORD, f"{name} 職員")
        return Account(name, PASSWORD, user.id)


def fresh_address() -> str:
    """A client address no other test uses (the throttle also counts per address)."""
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def client_at(app, address: str | None = None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address or fresh_address()
    return client


def sign_in(client, username: str, password: str, next_url: str | None = None):
    return client.post("/login", data={"username": username, "password": password},
                       query_string={"next": next_url} if next_url is not None else None)


def account_events(product, username: str, kind: str | None = None) -> list[dict]:
    """The audit events about a staff account (title = the name), oldest first, as summary + actor + kind."""
    with product.session_factory() as session:
        query = select(AuditEvent).where(AuditEvent.title == username).order_by(AuditEvent.id)
        if kind:
            query = query.where(AuditEvent.kind == kind)
        return [json.loads(e.summary_json) | {"actor": e.actor, "kind": e.kind, "actor_role": e.actor_role}
                for e in session.scalars(query)]
