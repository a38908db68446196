"""Declarative base of the simulated register's tables and of the linkage's cursors and change files (kept apart
from the registry's own metadata).

The naming convention is the standard Alembic one, so constraint names stay stable across migrations.
"""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of the ``juki_sim_*`` and ``juki_linkage_*`` tables; ``Base.metadata`` creates only this package's schema."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
