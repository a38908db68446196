"""A whole database to one file and back, with the database's own tools, plus the facts a restore is checked by.

PostgreSQL: `pg_dump --format=custom` from a snapshot exported by a REPEATABLE READ transaction, whose own reads
give the facts (row count of every table, chain heads, schema revision) of exactly what was dumped; back with
`pg_restore` piped into one `psql --single-transaction`, so a failed restore leaves the target as it was.
SQLite: the online backup API (`sqlite3.Connection.backup`), one consistent copy that writers do not disturb.
The client tools must be at least the server's version (postgresql-client, scripts/setup.sh installs it).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import Connection, create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from engine.errors import EngineError

__all__ = ["BackupError", "database_facts", "database_kind", "dump_database", "restore_database", "table_count"]

# Empty the target schema (tables, sequences, views, functions, types) but keep the schema, its owner and grants.
EMPTY_SCHEMA = """
DO $$
DECLARE item record;
BEGIN
  FOR item IN SELECT format('%I.%I', n.nspname, c.relname) AS name, c.relkind FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  LOOP
    EXECUTE format('DROP %s IF EXISTS %s CASCADE', CASE item.relkind WHEN 'v' THEN 'VIEW'
      WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
      item.name);
  END LOOP;
  FOR item IN SELECT p.oid::regprocedure::text AS name, p.prokind FROM pg_proc p
              WHERE p.pronamespace = current_schema()::regnamespace
  LOOP
    EXECUTE format('DROP %s IF EXISTS %s CASCADE', CASE item.prokind WHEN 'p' THEN 'PROCEDURE'
      WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, item.name);
  END LOOP;
  FOR item IN SELECT t.oid::regtype::text AS name FROM pg_type t
              WHERE t.typnamespace = current_schema()::regnamespace AND t.typtype IN ('e', 'd', 'c', 'r')
                AND t.typrelid = 0
  LOOP
    EXECUTE format('DROP TYPE IF EXISTS %s CASCADE', item.name);
  END LOOP;
END $$;
"""


class BackupError(EngineError):
    """A database could not be copied or restored (message in Japanese, with the tool's own words)."""

    code = "backup_failed"
    http_status = 500


def database_kind(url: str) -> str:
    """'postgresql' or 'sqlite'; raise BackupError for anything else (or an in-memory SQLite database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return "postgresql"
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return "sqlite"
    raise BackupError(f"このデータベース（{parsed.get_backend_name()}）のバックアップには対応していません")


def dump_database(url: str, out: Path) -> dict:
    """Write the whole database to `out`; return the facts of exactly what was written."""
    if database_kind(url) == "postgresql":
        return _dump_postgresql(make_url(url), out)
    return _dump_sqlite(_sqlite_file(url), out)


def restore_database(url: str, dump: Path, *, replace: bool) -> None:
    """Load `dump` into the database at `url` (replace: empty it first, in the same transaction)."""
    if database_kind(url) == "postgresql":
        _restore_postgresql(make_url(url), dump, replace=replace)
    else:
        _restore_sqlite(dump, _sqlite_file(url))


def _sqlite_file(url: str) -> Path:
    """The file of a SQLite URL that database_kind accepted (it refuses in-memory and nameless ones)."""
    database = make_url(url).database
    if not database:
        raise BackupError("SQLite データベースのファイル名がありません")
    return Path(database)


def table_count(url: str) -> int:
    """How many tables the database holds (0: empty or not created yet)."""
    if database_kind(url) == "sqlite" and not _sqlite_file(url).exists():
        return 0
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return len(inspect(connection).get_table_names())
    except Exception as exc:  # noqa: BLE001 — unreachable, missing database, no rights: say so in words
        raise BackupError(f"復元先のデータベースに接続できません: {_first_line(str(exc))}") from None
    finally:
        engine.dispose()


def database_facts(connection: Connection) -> dict:
    """Row count of every table, the head of every hash chain and the schema revision, as one read sees them."""
    names = sorted(inspect(connection).get_table_names())
    facts: dict = {"tables": {name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
                              for name in names}}
    facts["schema_revision"] = (connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
                                if "alembic_version" in names else None)
    facts["chains"] = ({name: [seq, head] for name, seq, head in connection.execute(
        text("SELECT name, last_seq, last_hash FROM chain_head ORDER BY name"))} if "chain_head" in names else {})
    return facts


# ---- PostgreSQL ---------------------------------------------------------------------------------------------
def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and an environment carrying it (never on a command line)."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _dump_postgresql(url: URL, out: Path) -> dict:
    engine = create_engine(url, poolclass=NullPool, isolation_level="REPEATABLE READ")
    uri, env = _libpq(url)
    try:
        with engine.connect() as connection:
            connection.execution_options(postgresql_readonly=True)
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            facts = database_facts(connection)
            facts["server_version"] = connection.execute(text("SHOW server_version")).scalar_one()
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={out}", f"--dbname={uri}"], env)
            connection.rollback()
    except BackupError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise BackupError(f"データベースに接続できません: {_first_line(str(exc))}") from None
    finally:
        engine.dispose()
    return facts


def _restore_postgresql(url: URL, dump: Path, *, replace: bool) -> None:
    """pg_restore's SQL fed to psql inside one transaction that is committed only if pg_restore got to its end:
    a dump that breaks off half-way, or an error in the target, leaves the target as it was."""
    uri, env = _libpq(url)
    restore = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--file=-", str(dump)]
    load = ["psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--file=-", f"--dbname={uri}"]
    _require_tools("pg_restore", "psql")
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as load_errors:
        producer = subprocess.Popen(restore, stdout=subprocess.PIPE, stderr=restore_errors, env=env)
        consumer = subprocess.Popen(load, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=load_errors,
                                    env=env)
        _pump(producer, consumer, b"BEGIN;\n" + (EMPTY_SCHEMA.encode() if replace else b""))
        failures = [f"{name}: {_first_line(_read(errors))}" for name, process, errors in
                    (("pg_restore", producer, restore_errors), ("psql", consumer, load_errors))
                    if process.returncode != 0]
    if failures:
        raise BackupError("復元に失敗しました（復元先は変更されていません）: " + " / ".join(failures))


def _read(file) -> str:
    file.seek(0)
    return file.read().decode("utf-8", "replace")


def _pump(producer: subprocess.Popen, consumer: subprocess.Popen, preamble: bytes) -> None:
    """Copy pg_restore's output into psql after `preamble`; COMMIT only when pg_restore finished cleanly."""
    assert producer.stdout is not None and consumer.stdin is not None  # both were started with PIPE
    try:
        consumer.stdin.write(preamble)
        shutil.copyfileobj(producer.stdout, consumer.stdin, 1 << 20)
        if producer.wait() == 0:
            consumer.stdin.write(b"COMMIT;\n")
        consumer.stdin.close()
    except BrokenPipeError:
        pass  # psql stopped at an error (ON_ERROR_STOP); its message says which
    finally:
        producer.stdout.close()
        producer.wait()
        consumer.wait()


def _run(command: list[str], env: dict[str, str]) -> None:
    _require_tools(command[0])
    result = subprocess.run(command, capture_output=True, env=env, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} が失敗しました: {_first_line(result.stderr.decode('utf-8', 'replace'))}")


def _require_tools(*names: str) -> None:
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        raise BackupError(f"{'、'.join(missing)} が見つかりません。サーバと同じ版の postgresql-client を入れてください"
                          "（scripts/setup.sh --test が入れます）")


def _first_line(message: str) -> str:
    """The line that says what went wrong (the first error, not a NOTICE before it)."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    errors = [line for line in lines if any(word in line for word in ("ERROR", "FATAL", "error", "エラー"))]
    return (errors or lines or ["（詳細なし）"])[0]


# ---- SQLite -------------------------------------------------------------------------------------------------
def _dump_sqlite(database: Path, out: Path) -> dict:
    if not database.is_file():
        raise BackupError(f"データベースファイル {database} がありません")
    source, copy = sqlite3.connect(database), sqlite3.connect(out)
    try:
        source.backup(copy)  # all pages in one step: one consistent read, writers carry on (WAL)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        copy.close()
        source.close()
    engine = create_engine(f"sqlite:///{out}", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            facts = database_facts(connection)
            facts["server_version"] = connection.execute(text("SELECT sqlite_version()")).scalar_one()
    finally:
        engine.dispose()
    return facts


def _restore_sqlite(dump: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    source, destination = sqlite3.connect(dump), sqlite3.connect(target, timeout=60)
    try:
        source.backup(destination)  # replaces every page of the target in one write transaction
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite への復元に失敗しました（復元先は変更されていません）: {exc}") from None
    finally:
        destination.close()
        source.close()
