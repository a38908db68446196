"""Connections: one SQLAlchemy engine and session factory per database URL."""

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def connect(url: str, *, echo: bool = False) -> sessionmaker[Session]:
    """Return a session factory for `url`, with SQLite set up for several writers."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 60, "check_same_thread": False})
        _serialize_sqlite_writers(engine)
    else:
        engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)
    return sessionmaker(engine, expire_on_commit=False)


def _serialize_sqlite_writers(engine: Engine) -> None:
    # pysqlite opens transactions lazily and in DEFERRED mode; a reader that later writes can then fail at once
    # with "database is locked". BEGIN IMMEDIATE takes the write lock up front, so writers queue on busy_timeout.
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
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgresql(session: Session) -> bool:
    """Tell whether the session talks to PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"
