"""Migration 0012 on a database with accounts and tokens from before it: the tokens get the default lifetime from
the day of the migration (they keep working), every account starts at session generation 0; and it goes back."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from registry.db import utcnow
from webui.schema import alembic_config


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'before.sqlite3'}"
        return
    from conftest import _create_pg_database, _drop_pg_database

    url = _create_pg_database()
    yield url
    _drop_pg_database(url)


def test_tokens_from_before_get_ninety_days_from_the_migration(unmigrated_url):
    config = alembic_config(unmigrated_url)
    command.upgrade(config, "0010")
    engine = create_engine(unmigrated_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO staff_user (id, username, display_name, role, password_hash, is_active, "
                          "created_at) VALUES (1, 'old', 'old', 'madoguchi', 'x', :t, :at)"),
                     {"t": True, "at": datetime(2025, 1, 1)})
        conn.execute(text("INSERT INTO api_token (user_id, token_sha256, created_at) VALUES (1, :sha, :at)"),
                     {"sha": "a" * 64, "at": datetime(2025, 1, 1)})
    command.upgrade(config, "head")
    with engine.connect() as conn:
        expires = conn.execute(text("SELECT expires_at FROM api_token")).scalar_one()
        generation = conn.execute(text("SELECT session_generation FROM staff_user")).scalar_one()
        throttles = conn.execute(text("SELECT count(*) FROM login_throttle")).scalar_one()
    expires = expires if isinstance(expires, datetime) else datetime.fromisoformat(str(expires))
    assert abs(expires - (utcnow() + timedelta(days=90))) < timedelta(minutes=5)
    assert generation == 0 and throttles == 0
    command.downgrade(config, "0010")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM api_token")).scalar_one() == 1
    engine.dispose()
