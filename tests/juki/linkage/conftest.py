"""Fixtures of the linkage tests: a database of their own per backend (the shared test app pushes; these pull and
read files), products built on it with the linkage settings a test needs, and the simulator served over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, update
from sqlalchemy.orm import sessionmaker

from conftest import ROLES, TEST_PASSWORD, _drop_pg_database, make_database, make_test_app
from engine.library.catalog import deploy_directory
from juki import seed_population
from juki.linkage.models import LinkageCursor
from juki.server import register_app
from registry.staff import accounts
from tests.support.flow import RegistrationDriver
from tests.support.served import Served

POPULATION = 500


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def linkage_url(request, tmp_path_factory) -> Iterator[str]:
    """A migrated database with the definitions, a small population and one user per role."""
    url = make_database(request.param, tmp_path_factory)
    app = make_test_app(url, tmp_path_factory, JUKI_LINKAGE="pull")
    product = app.extensions["inkan"]
    with product.session_factory.begin() as session:
        deploy_directory(session, product.bpmn_dir, product.handlers, actor="test")
        seed_population(session, size=POPULATION, today=product.services.today())
        for role in ROLES:
            accounts.add_user(session, role, role, TEST_PASSWORD, f"{role} 職員")
    product.session_factory.kw["bind"].dispose()
    yield url
    if request.param == "postgresql":
        _drop_pg_database(url)


@pytest.fixture
def make_app(linkage_url, tmp_path_factory):
    """make_app(**config) → a new app (and product) on the linkage database: a restart, or other settings."""
    built = []

    def _make(**config):
        app = make_test_app(linkage_url, tmp_path_factory, **({"JUKI_LINKAGE": "pull"} | config))
        built.append(app)
        return app

    yield _make
    for app in built:
        app.extensions["inkan"].session_factory.kw["bind"].dispose()


@pytest.fixture
def pulling(make_app, due_now):
    """The product pulling the in-process simulator's change feed (the shipped default), with everything other
    tests left in the feed already taken in (so counts are exact) and the next round due."""
    product = make_app().extensions["inkan"]
    assert product.take_in_resident_changes(force=True).pull.state == "done"
    with product.session_factory.begin() as session:
        session.execute(update(LinkageCursor).values(next_attempt_at=None))  # the worker's next round is due
    return product


@pytest.fixture
def driver(pulling) -> RegistrationDriver:
    return RegistrationDriver(pulling)


@pytest.fixture
def served(linkage_url) -> Iterator[Served]:
    """The simulator of the linkage database served by its HTTP contract (juki.server), as an external register."""
    engine = create_engine(linkage_url)
    served = Served(register_app(sessionmaker(engine)))
    yield served
    served.stop()
    engine.dispose()



@pytest.fixture
def due_now(linkage_url) -> None:
    """Every test starts with both ways due and no failure recorded (tests share the database's cursor rows)."""
    engine = create_engine(linkage_url)
    with engine.begin() as connection:
        connection.execute(update(LinkageCursor).values(next_attempt_at=None, failures=0))
    engine.dispose()


@pytest.fixture
def change_dir(tmp_path) -> Path:
    """The folder the register drops change files into (INKAN_JUKI_FILE_DIR)."""
    folder = tmp_path / "juki-changes"
    folder.mkdir()
    return folder


@pytest.fixture
def reading(make_app, change_dir, due_now):
    """The product reading change files from ``change_dir`` (file linkage only)."""
    return make_app(JUKI_LINKAGE="file", JUKI_FILE_DIR=str(change_dir)).extensions["inkan"]
