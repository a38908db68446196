"""The database schema: every package's tables, created and migrated by Alembic."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData

import engine.evidence.access_log  # noqa: F401 — access log, anchors and chain heads (issue 8)
import engine.evidence.anchors  # noqa: F401
import engine.evidence.chain  # noqa: F401
import engine.evidence.tombstones  # noqa: F401 — purged rows of the hash chains
import engine.library.draft_models  # noqa: F401 — model library: drafts and test suites
import engine.models  # noqa: F401 — registers the engine's tables on its metadata
import handlers.linkage.intake  # noqa: F401 — the resident-event intake table
import juki.linkage.models  # noqa: F401 — the register linkage's cursors and change files (issue 16.9)
import juki.models  # noqa: F401
import registry.blobs.models  # noqa: F401
import registry.documents.fees  # noqa: F401 — 6.1 counter requests and fees
import registry.documents.models  # noqa: F401
import registry.exchange.models  # noqa: F401 — import runs and their checkpoints (issue 17)
import registry.jidou.models  # noqa: F401 — 自動交付機 request log
import registry.konbini.models  # noqa: F401 — コンビニ交付 request log
import registry.retention.models  # noqa: F401 — 除票 purge batches
import registry.seals.models  # noqa: F401
import registry.seals.pin  # noqa: F401 — 5.2.4 暗証番号
import registry.settings.models  # noqa: F401
import registry.staff.models  # noqa: F401
from engine.db import Base as EngineBase
from juki.db import Base as JukiBase
from registry.db import Base as RegistryBase

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
METADATA: list[MetaData] = [EngineBase.metadata, RegistryBase.metadata, JukiBase.metadata]


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Create or migrate the database to the newest schema."""
    command.upgrade(alembic_config(database_url), "head")


@cache
def head_revisions() -> tuple[str, ...]:
    """The newest revision(s) of the migrations shipped with this code."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return tuple(ScriptDirectory.from_config(config).get_heads())


def schema_revisions(connection: Connection) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the database's current revision(s), the code's head revision(s)); raises SQLAlchemyError."""
    return tuple(MigrationContext.configure(connection).get_current_heads()), head_revisions()
