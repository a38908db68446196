"""Declarative base for the workflow engine's tables: its own metadata and clock, nothing of the registry.

The product puts every package's metadata into one Alembic schema (webui/schema.py); they share the standard
naming convention so constraint names stay stable across migrations (tests/test_layering.py holds them equal).
"""

from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

__all__ = ["NAMING_CONVENTION", "Base", "utcnow"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current UTC time without tzinfo (stored as naive UTC everywhere)."""
    return datetime.now(UTC).replace(tzinfo=None)
