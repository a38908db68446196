"""The JukiClient contract, run on the simulator and on the HTTP adapter talking to the simulator served by
juki.server on 127.0.0.1 (docs/juki/openapi.yaml); both read the same committed database, so their answers must
be equal. Then the HTTP adapter's failures: server down, slow, broken answers → JukiUnavailable."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import make_server

from conftest import _drop_pg_database, make_database
from juki import (
    DEMO_RESIDENTS,
    InvalidQuery,
    JukiClient,
    ResidentQuery,
    SimulatedRegister,
    changes,
    seed_population,
)
from juki.errors import JukiUnavailable
from juki.http import HttpRegister
from juki.server import register_app
from tests.support.served import Served

POPULATION = 300
ELIGIBLE, SPOUSE, SINGLE = DEMO_RESIDENTS["eligible"], DEMO_RESIDENTS["spouse"], DEMO_RESIDENTS["single"]
TOKEN = "contract-token-0123456789"


def _prepare(engine: Engine) -> None:
    """Seed a small population and record three changes (committed, so the server's sessions see them)."""
    with Session(engine) as session, session.begin():
        seed_population(session, size=POPULATION)
        ctx = changes.ChangeContext(date(2026, 4, 10), "test", date(2026, 4, 30), datetime(2026, 4, 11, tzinfo=UTC))
        changes.rename(session, SINGLE, ctx, name="高木　一郎", kana="タカギ　イチロウ")
        changes.move_within(session, SINGLE, ctx, address="見本市西町一丁目1番1号")
        changes.start_guardianship(session, SINGLE, ctx)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def contract_engine(request, tmp_path_factory) -> Iterator[Engine]:
    """A migrated database of its own (the shared ones are rolled back after each test; this one is committed)."""
    url = make_database(request.param, tmp_path_factory)
    engine = create_engine(url)
    try:
        _prepare(engine)
        yield engine
    finally:
        engine.dispose()
        if request.param == "postgresql":
            _drop_pg_database(url)


@pytest.fixture(scope="module")
def served(contract_engine) -> Iterator[Served]:
    served = Served(register_app(sessionmaker(contract_engine), token=TOKEN))
    yield served
    served.stop()


@pytest.fixture(params=["simulator", "http"])
def client(request, contract_engine, served) -> Iterator[JukiClient]:
    if request.param == "simulator":
        with Session(contract_engine) as session:
            yield SimulatedRegister(session)
        return
    adapter = HttpRegister(served.url, timeout=10, token=TOKEN)
    yield adapter
    adapter.close()


@pytest.fixture
def reference(contract_engine) -> Iterator[SimulatedRegister]:
    with Session(contract_engine) as session:
        yield SimulatedRegister(session)


def test_both_are_juki_clients(client) -> None:
    assert isinstance(client, JukiClient)


def test_search_and_count(client, reference) -> None:
    query = ResidentQuery(kana="ヤマダ　タロウ")
    found = client.search(query)
    assert found == reference.search(query) and ELIGIBLE in [r.resident_id for r in found]
    assert client.count(query) == len(found) >= 1


@pytest.mark.parametrize("query", [
    ResidentQuery(birth_date=date(1980, 5, 12)), ResidentQuery(name="山田", include_former=True, limit=2, offset=1),
    ResidentQuery(address="中央一丁目"), ResidentQuery(household_id="H0000001"),
])
def test_search_criteria_give_the_same_answers(client, reference, query) -> None:
    assert client.search(query) == reference.search(query)
    assert client.count(query) == reference.count(query)


@pytest.mark.parametrize("query", [ResidentQuery(), ResidentQuery(kana="abc"), ResidentQuery(kana="ヤ", limit=0)])
def test_bad_queries_are_refused(client, query) -> None:
    with pytest.raises(InvalidQuery):
        client.search(query)


def test_get_resident(client, reference) -> None:
    assert client.get_resident(ELIGIBLE) == reference.get_resident(ELIGIBLE)
    assert client.get_resident(DEMO_RESIDENTS["deceased"]).status == "deceased"
    assert client.get_resident("99999999999") is None
    with pytest.raises(InvalidQuery):
        client.get_resident("  ")


def test_household_members_head_first(client, reference) -> None:
    members = client.household_members("H0000001")
    assert [m.resident_id for m in members] == [ELIGIBLE, SPOUSE, DEMO_RESIDENTS["child"]]
    assert members == reference.household_members("H0000001")
    assert client.household_members("H9999999") == []


def test_change_history(client, reference) -> None:
    history = client.change_history(SINGLE)
    assert [e.kind for e in history] == ["name_change", "move_within", "guardianship_started"]
    assert history == reference.change_history(SINGLE)
    assert client.change_history(ELIGIBLE) == []


def test_changes_since_pages_through_the_feed(client) -> None:
    first = client.changes_since("", limit=2)
    assert [e.kind for e in first.events] == ["name_change", "move_within"]
    rest = client.changes_since(first.cursor, limit=2)
    assert [e.kind for e in rest.events] == ["guardianship_started"]
    assert client.changes_since(rest.cursor).events == [] and client.changes_since(rest.cursor).cursor == rest.cursor
    with pytest.raises(InvalidQuery):
        client.changes_since("not-a-cursor")


# ---- failures of the neighbour ---------------------------------------------------------------------------
def _unused_port() -> int:
    server = make_server("127.0.0.1", 0, lambda environ, start: [])
    port = server.server_port
    server.server_close()
    return port


def test_server_down_is_juki_unavailable() -> None:
    adapter = HttpRegister(f"http://127.0.0.1:{_unused_port()}", timeout=2, connect_timeout=1)
    with pytest.raises(JukiUnavailable, match="接続できません") as caught:
        adapter.get_resident(ELIGIBLE)
    assert caught.value.code == "juki_unavailable"


def test_slow_server_is_juki_unavailable(contract_engine) -> None:
    release = threading.Event()
    inner = register_app(sessionmaker(contract_engine))

    def slow(environ, start_response):
        release.wait(5)
        return inner(environ, start_response)

    served = Served(slow)
    try:
        with pytest.raises(JukiUnavailable, match="0.2秒以内に応答しませんでした"):
            HttpRegister(served.url, timeout=0.2).get_resident(ELIGIBLE)
    finally:
        release.set()
        served.stop()


def test_wrong_token_is_juki_unavailable(served) -> None:
    with pytest.raises(JukiUnavailable, match="認証"):
        HttpRegister(served.url, token="wrong").get_resident(ELIGIBLE)


@pytest.mark.parametrize(("status", "body", "message"), [
    (500, b"oops", "HTTP 500"), (200, b"<html>", "JSONではありません"), (200, b'{"residents": 3}', "形式"),
    (200, b'{"residents": [{"resident_id": "1"}]}', "形式"), (503, b"{}", "HTTP 503"),
])
def test_broken_answers_are_juki_unavailable(status, body, message) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body))
    adapter = HttpRegister("http://juki.invalid", transport=transport)
    with pytest.raises(JukiUnavailable, match=message):
        adapter.household_members("H0000001")


def test_register_refusal_is_invalid_query_with_its_message() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(
        400, json={"error": "invalid_query", "message": "条件が足りません。"}))
    with pytest.raises(InvalidQuery, match="条件が足りません"):
        HttpRegister("http://juki.invalid", transport=transport).change_history(ELIGIBLE)


def test_register_without_its_database_answers_503_and_the_adapter_says_unavailable() -> None:
    served = Served(register_app(sessionmaker(create_engine("sqlite://"))))  # no tables at all
    try:
        answer = httpx.get(f"{served.url}/residents/{ELIGIBLE}")
        assert answer.status_code == 503 and answer.json()["error"] == "unavailable"
        with pytest.raises(JukiUnavailable, match="HTTP 503"):
            HttpRegister(served.url).get_resident(ELIGIBLE)
    finally:
        served.stop()
