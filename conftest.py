"""Shared fixtures: the app on SQLite and on PostgreSQL, signed-in clients, tokens and a 4.1.2 driver.

PostgreSQL: INKAN_TEST_POSTGRES=required makes an unreachable server a failure (CI); otherwise its tests skip.
Each pytest process migrates and seeds one template database per kind once; every test file gets a copy of it.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import closing

import pytest
from sqlalchemy import create_engine, text

from engine.actor import Actor
from engine.library.catalog import deploy_directory
from juki import seed_population
from registry.seals import pin
from registry.staff import accounts
from tests.support.flow import RegistrationDriver
from webui import create_app
from webui.schema import upgrade

PG_ADMIN_URL = os.environ.get("INKAN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_REQUIRED = os.environ.get("INKAN_TEST_POSTGRES") == "required"
TEST_PASSWORD = "test-password-123"
ROLES = ("madoguchi", "backyard", "manager", "auditor", "admin")

# The suite signs in about a thousand times and checks PINs hundreds of times. At the shipped scrypt cost (2**14,
# ~80 ms each here) that is over a minute of a 2-core run spent hashing; tests check what the hashes do, not their
# cost, so they hash at 2**10 (as Django's test settings swap in a fast hasher). The shipped cost is checked in
# tests/security/test_password_cost.py against SHIPPED_SCRYPT.
SHIPPED_SCRYPT = {"passwords": dict(accounts.SCRYPT), "pins": dict(pin.SCRYPT)}
accounts.SCRYPT["n"] = pin.SCRYPT["n"] = 2**10


def _create_pg_database(template: str | None = None) -> str:
    name = f"inkan_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
            # a test database need not survive a crash: commits stop waiting for the WAL flush (~6 ms each here,
            # tens of thousands in a run); what a commit makes visible, and when, is unchanged
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
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


_LEFT_TO_DROP: list[str] = []  # PostgreSQL databases of files done, dropped when the session ends


def release_database(url: str) -> None:
    """Done with a database made by make_database: PostgreSQL closes its connections now and drops it when the
    session ends. Each DROP DATABASE forces a checkpoint that writes out everything changed since the last one
    (about a second per test file here); at the end the first flushes all and the rest have nothing to write."""
    if not url.startswith("postgresql"):
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": url.rsplit("/", 1)[1]})
    admin.dispose()
    _LEFT_TO_DROP.append(url)


def make_database(kind: str, tmp_path_factory) -> str:
    """A new, migrated, empty database of the given kind; caller drops PostgreSQL ones.

    A copy of a database this process migrated from empty to head once: running every Alembic revision takes
    seconds, a copy (SQLite's backup, PostgreSQL's CREATE DATABASE … TEMPLATE) a fraction of one. The revisions one
    by one, with data in between, are tested on databases of their own (tests/engine/test_card_numbers.py …)."""
    return _copy_of(_migrated_template(kind, tmp_path_factory), tmp_path_factory)


def _copy_of(template_url: str, tmp_path_factory) -> str:
    if template_url.startswith("sqlite"):
        path = tmp_path_factory.mktemp("db") / "inkan.sqlite3"
        with closing(sqlite3.connect(template_url.removeprefix("sqlite:///"))) as source, \
                closing(sqlite3.connect(path)) as copy:
            source.backup(copy)  # the whole database, whatever its journal mode left beside the file
        return f"sqlite:///{path}"
    return _create_pg_database(template=template_url.rsplit("/", 1)[1])


_TEMPLATES: dict[tuple[str, str], str] = {}  # (kind, "migrated" | "seeded") → URL of this process's template


def _migrated_template(kind: str, tmp_path_factory) -> str:
    if (kind, "migrated") not in _TEMPLATES:
        if kind == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('migrated') / 'template.sqlite3'}"
        else:
            url = _create_pg_database()
        upgrade(url)
        _TEMPLATES[(kind, "migrated")] = url
    return _TEMPLATES[(kind, "migrated")]


def _seeded_template(kind: str, tmp_path_factory) -> str:
    if (kind, "seeded") not in _TEMPLATES:
        url = make_database(kind, tmp_path_factory)
        app = make_test_app(url, tmp_path_factory)
        seed_test_app(app)
        app.extensions["inkan"].session_factory.kw["bind"].dispose()  # a template takes no connections
        _TEMPLATES[(kind, "seeded")] = url
    return _TEMPLATES[(kind, "seeded")]


def pytest_sessionfinish(session, exitstatus) -> None:
    for url in [*_LEFT_TO_DROP, *_TEMPLATES.values()]:
        drop_database(url)
    _LEFT_TO_DROP.clear()
    _TEMPLATES.clear()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A new database with the definitions, the population and one user per role: a copy of one this process
    seeded (seed_test_app).

    pytest holds one value of a parametrised session fixture at a time, and under xdist --dist loadfile a worker
    runs each file's SQLite tests, then its PostgreSQL tests: every file gets new databases. Built from scratch
    that was 27 migrations and the seeding, seconds each time; a copy takes a fraction of one."""
    url = _copy_of(_seeded_template(request.param, tmp_path_factory), tmp_path_factory)
    yield url
    release_database(url)


def make_test_app(database_url: str, tmp_path_factory, **overrides):
    # JUKI_LINKAGE push: the simulator hands each change to the intake at once, so a test sees exactly the events it
    # delivers; pull and file linkage are tested on databases of their own (tests/juki/linkage/).
    config = {"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test-secret-key-0123456789",
              "WTF_CSRF_ENABLED": False, "IN_PROCESS_WORKER": False, "JUKI_LINKAGE": "push",
              "IMAGING_WORKERS": 0} | overrides
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
def app(database_url, tmp_path_factory):
    """The product on its seeded database: definitions, population and one user per role."""
    return make_test_app(database_url, tmp_path_factory)


@pytest.fixture(scope="session")
def product(app):
    return app.extensions["inkan"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(app):
    """login(role) → a test client signed in as the user of that role that answers the access-purpose question
    with `purpose` whenever a page asks it (once per person and case); purpose=None leaves it unanswered."""
    from tests.support.purpose import answering_client

    def _login(role: str, purpose: str | None = "audit"):
        c = answering_client(app, purpose)
        response = c.post("/login", data={"username": role, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
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
