"""Declarative base of the simulated register's tables (kept apart from the registry's own metadata).

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
    """Base of the ``juki_sim_*`` tables; ``Base.metadata`` creates only the simulator's schema."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
