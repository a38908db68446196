"""Connections: one SQLAlchemy engine and session factory per database URL, and consistent read snapshots."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["StatementTally", "connect", "is_database_unavailable", "is_postgresql", "read_snapshot", "tally_statements"]

# execution option of a connection whose transaction only reads (SQLite: a deferred BEGIN, see below)
READ_SNAPSHOT = "inkan_read_snapshot"
# PostgreSQL SQLSTATEs that mean "the server cannot be used now": connection exceptions (class 08), shutting
# down or starting up, too many connections.
UNAVAILABLE_SQLSTATES = ("57P01", "57P02", "57P03", "53300")
# SQLite: the file cannot be opened (missing directory …), is busy beyond the timeout, or the disk failed.
SQLITE_UNAVAILABLE = ("SQLITE_CANTOPEN", "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR", "SQLITE_NOTADB")
CONNECT_TIMEOUT_SECONDS = 5


def connect(url: str, *, echo: bool = False) -> sessionmaker[Session]:
    """Return a session factory for `url`, with SQLite set up for several writers."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 60, "check_same_thread": False})
        _serialize_sqlite_writers(engine)
    else:
        engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20,
                               connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})
    _time_statements(engine)
    return sessionmaker(engine, expire_on_commit=False)


@dataclass
class StatementTally:
    """The SQL statements one unit of work (a request) ran and the time it waited for their answers."""

    count: int = 0
    seconds: float = 0.0


_TALLY: ContextVar[StatementTally | None] = ContextVar("inkan_statement_tally", default=None)
_STARTED = "inkan_statement_started"


def tally_statements() -> StatementTally:
    """Count the statements this context (thread, request) runs from now on, and the time spent in them."""
    tally = StatementTally()
    _TALLY.set(tally)
    return tally


def _time_statements(engine: Engine) -> None:
    # a slow page is slow for its own CPU, its SQL or its waiting (for the GIL, a lock, the imaging pool): the
    # request log tells the three apart, so an operator sees where the time goes without a profiler
    @event.listens_for(engine, "before_cursor_execute")
    def _before(connection, _cursor, _statement, _parameters, _context, _executemany):
        if _TALLY.get() is not None:
            connection.info[_STARTED] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(connection, _cursor, _statement, _parameters, _context, _executemany):
        tally, started = _TALLY.get(), connection.info.pop(_STARTED, None)
        if tally is not None and started is not None:
            tally.count += 1
            tally.seconds += time.perf_counter() - started


def _serialize_sqlite_writers(engine: Engine) -> None:
    # pysqlite opens transactions lazily and in DEFERRED mode; a reader that later writes can then fail at once
    # with "database is locked". BEGIN IMMEDIATE takes the write lock up front, so writers queue on busy_timeout.
    # A read snapshot (read_snapshot) opens a plain deferred BEGIN instead: in WAL mode its first SELECT fixes the
    # snapshot every later SELECT of the transaction sees, and it never holds up a writer.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        read_only = connection.get_execution_options().get(READ_SNAPSHOT, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


@contextmanager
def read_snapshot(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose every read sees the same committed state, for checks that compare several tables.

    PostgreSQL: one READ ONLY transaction at REPEATABLE READ (the snapshot is taken by its first statement).
    SQLite: one deferred read transaction (BEGIN … COMMIT) on a WAL database. Writers go on meanwhile; what they
    commit after the snapshot is not seen. The session cannot write (PostgreSQL refuses; nothing is committed).
    """
    engine: Engine = session_factory.kw["bind"]
    if engine.dialect.name == "postgresql":
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    else:
        options = {READ_SNAPSHOT: True}
    with engine.connect() as connection:
        connection.execution_options(**options)
        with Session(bind=connection) as session:
            yield session
            session.rollback()


def is_postgresql(session: Session) -> bool:
    """Tell whether the session talks to PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached now (refused or lost connection, missing SQLite file,
    server shutting down, pool exhausted) rather than that a statement was wrong."""
    if isinstance(exc, sa_exc.TimeoutError):
        return True
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return False
    sqlite_error = getattr(exc.orig, "sqlite_errorname", None)
    if sqlite_error is not None:
        return sqlite_error.startswith(SQLITE_UNAVAILABLE)
    state = getattr(exc.orig, "sqlstate", None)
    if state is None:  # a client-side failure: no server answered
        return True
    return state.startswith("08") or state in UNAVAILABLE_SQLSTATES
