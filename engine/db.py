"""Declarative base for the workflow engine's tables (its own metadata, the registry's naming convention)."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from registry.db import NAMING_CONVENTION, utcnow

__all__ = ["Base", "utcnow"]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
