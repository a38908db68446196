"""Fixtures: the simulated register seeded once per backend (SQLite in memory, PostgreSQL when reachable).

Each test runs in a transaction that is rolled back, so the seeded population is shared and never rebuilt.
"""

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from juki import Base, SimulatedRegister, seed_population

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
POPULATION_SIZE = 2400


def _seed(engine: Engine) -> None:
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        assert seed_population(session, size=POPULATION_SIZE) == POPULATION_SIZE
        session.commit()


@pytest.fixture(scope="session")
def sqlite_engine() -> Iterator[Engine]:
    engine = create_engine("sqlite+pysqlite://", poolclass=StaticPool)
    _seed(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgresql_engine() -> Iterator[Engine]:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"inkan_juki_test_{os.getpid()}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable: {error.orig}")
    engine = create_engine(admin.url.set(database=name))
    try:
        _seed(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()


@pytest.fixture
def register(session: Session) -> SimulatedRegister:
    return SimulatedRegister(session)
