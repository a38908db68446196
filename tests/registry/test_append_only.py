"""Audit events, registry history and the tombstones of purged history cannot be changed or deleted, even with
direct SQL (a history row goes only when its tombstone exists: engine/evidence/tombstones.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET actor = 'someone-else'",
    "DELETE FROM audit_event",
    "UPDATE registration_history SET operator = 'someone-else'",
    "DELETE FROM registration_history",  # without a tombstone (issue 18: a purge buries the rows first)
])
def test_logs_are_append_only(product, driver, statement):
    driver.registered_person()  # makes sure both tables have rows
    with pytest.raises(DBAPIError, match="append-only"), product.session_factory.begin() as session:
        session.execute(text(statement))
