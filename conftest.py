"""Shared fixtures: the app on SQLite and on PostgreSQL, signed-in clients, tokens and a 4.1.2 driver.

PostgreSQL: INKAN_TEST_POSTGRES=required makes an unreachable server a failure (CI); otherwise its tests skip.
Each pytest worker gets its own databases, migrated with Alembic once and seeded with the demo population.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from engine.actor import Actor
from engine.library.catalog import deploy_directory
from juki import seed_population
from registry.staff import accounts
from tests.support.flow import RegistrationDriver
from webui import create_app
from webui.schema import upgrade

PG_ADMIN_URL = os.environ.get("INKAN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_REQUIRED = os.environ.get("INKAN_TEST_POSTGRES") == "required"
TEST_PASSWORD = "test-password-123"
ROLES = ("madoguchi", "backyard", "manager", "auditor", "admin")


def _create_pg_database(template: str | None = None) -> str:
    name = f"inkan_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001
        if PG_REQUIRED:
            pytest.fail(f"PostgreSQL is required (INKAN_TEST_POSTGRES=required) but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def drop_database(url: str) -> None:
    """Drop a database made by make_database (SQLite files go with tmp_path)."""
    if url.startswith("postgresql"):
        _drop_pg_database(url)


def make_database(kind: str, tmp_path_factory) -> str:
    """A new, migrated, empty database of the given kind; caller drops PostgreSQL ones.

    A copy of a database this process migrated from empty to head once: running every Alembic revision takes
    seconds, a copy (a file, or PostgreSQL's CREATE DATABASE … TEMPLATE) a fraction of one. The revisions one by
    one, with data in between, are tested on databases of their own (tests/engine/test_card_numbers.py …)."""
    template = _migrated_template(kind, tmp_path_factory)
    if kind == "sqlite":
        path = tmp_path_factory.mktemp("db") / "inkan.sqlite3"
        shutil.copyfile(template.removeprefix("sqlite:///"), path)
        return f"sqlite:///{path}"
    return _create_pg_database(template=template.rsplit("/", 1)[1])


_MIGRATED: dict[str, str] = {}  # kind → URL of the database this process migrated, the template of the others


def _migrated_template(kind: str, tmp_path_factory) -> str:
    if kind not in _MIGRATED:
        if kind == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('migrated') / 'template.sqlite3'}"
        else:
            url = _create_pg_database()
        upgrade(url)
        _MIGRATED[kind] = url
    return _MIGRATED[kind]


def pytest_sessionfinish(session, exitstatus) -> None:
    for url in _MIGRATED.values():
        drop_database(url)
    _MIGRATED.clear()


@pytest.fixture(scope="session")
def built_once() -> Iterator[Callable[[Hashable, Callable[[], AbstractContextManager]], Any]]:
    """built_once(key, build) → the value of the context manager build() made for key on first use; every one is closed
    at the end of the session.

    pytest holds one value of a parametrised session fixture at a time. Under xdist --dist loadfile a worker runs
    each file's SQLite tests and then its PostgreSQL tests, so the next file would tear down the PostgreSQL
    database and build the SQLite one again (migrations and seeding, seconds a file); keeping them here makes
    that switch a dictionary look-up, as in a run without xdist, where each database is built once."""
    values: dict[Hashable, Any] = {}
    with ExitStack() as stack:

        def _built_once(key: Hashable, build: Callable[[], AbstractContextManager]) -> Any:
            if key not in values:
                values[key] = stack.enter_context(build())
            return values[key]

        yield _built_once


@contextmanager
def new_database(kind: str, tmp_path_factory) -> Iterator[str]:
    """A new, migrated, empty database of the given kind, dropped on exit."""
    url = make_database(kind, tmp_path_factory)
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory, built_once) -> str:
    return built_once(("database_url", request.param), lambda: new_database(request.param, tmp_path_factory))


def make_test_app(database_url: str, tmp_path_factory, **overrides):
    # JUKI_LINKAGE push: the simulator hands each change to the intake at once, so a test sees exactly the events it
    # delivers; pull and file linkage are tested on databases of their own (tests/juki/linkage/).
    config = {"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test-secret-key-0123456789",
              "WTF_CSRF_ENABLED": False, "IN_PROCESS_WORKER": False, "JUKI_LINKAGE": "push"} | overrides
    app = create_app(config)
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    return app


def seed_test_app(app) -> None:
    """Definitions, population and one user per role, on the app's (new, migrated) database."""
    product = app.extensions["inkan"]
    with product.session_factory.begin() as session:
        results = deploy_directory(session, product.bpmn_dir, product.handlers, actor="test")
        assert all(r.status != "refused" for r in results), [r.error for r in results if r.error]
        seed_population(session, today=product.services.today())
        for role in ROLES:
            accounts.add_user(session, role, role, TEST_PASSWORD, f"{role} 職員")


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory, built_once):
    """The product on a seeded database: definitions, population and one user per role."""

    def _seeded() -> AbstractContextManager:
        app = make_test_app(database_url, tmp_path_factory)
        seed_test_app(app)
        return nullcontext(app)

    return built_once(("app", database_url), _seeded)


@pytest.fixture(scope="session")
def product(app):
    return app.extensions["inkan"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(app):
    """login(role) → a test client signed in as the user of that role, with an access purpose chosen for the
    session (pages showing a person's data ask for one first); purpose=None leaves it unchosen."""

    def _login(role: str, purpose: str | None = "audit"):
        c = app.test_client()
        response = c.post("/login", data={"username": role, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        if purpose:
            assert c.post("/audit/purpose", data={"purpose": purpose}).status_code == 302
        return c

    return _login


@pytest.fixture(scope="session")
def api_token(app):
    """api_token(role) → a bearer token header dict for that role's user."""
    cache: dict[str, dict] = {}

    def _token(role: str) -> dict:
        if role not in cache:
            with app.extensions["inkan"].session_factory.begin() as session:
                cache[role] = {"Authorization": f"Bearer {accounts.issue_token(session, role)}"}
        return cache[role]

    return _token


@pytest.fixture
def actors() -> dict[str, Actor]:
    return {role: Actor(role, role) for role in ROLES}


@pytest.fixture
def driver(product) -> RegistrationDriver:
    """Fresh eligible residents, registered through 4.1.2 (register) or by the factory (registered_person)."""
    return RegistrationDriver(product)


@pytest.hookimpl(trylast=True)  # after pytest's own reordering, whose order inside each file stays
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files holding a long test (marked slow or browser) first, then the others by number of tests, most first.

    `make test` hands out whole files in this order (--dist loadfile --no-loadscope-reorder). xdist's own order,
    by number of tests alone, put minute-long files of one or two tests last, where one worker ran them alone
    while the other had nothing left to do."""
    tests_in = Counter(_file_of(item) for item in items)
    long = {_file_of(item) for item in items if item.get_closest_marker("slow") or item.get_closest_marker("browser")}
    items.sort(key=lambda item: (_file_of(item) not in long, -tests_in[_file_of(item)], _file_of(item)))


def _file_of(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]
