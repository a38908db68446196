"""The simulated J-LIS's outage modes (issue 5, failure of a neighbour) and INKAN_JLIS_TIMEOUT: 応答なし fails at
once, a 遅延 beyond the timeout fails after waiting the timeout, a 遅延 within it answers; bad settings are refused
in Japanese at start-up or on the admin page, and nothing is stored."""

from __future__ import annotations

import pytest

from juki import jlis
from juki.errors import InvalidChange, JlisUnavailable, JukiUnavailable
from webui.config import ConfigurationError, check_config, defaults
from webui.wiring import build_product

VALID = "ABCDEF0123456789"


@pytest.fixture
def jlis_mode(product):
    """switch(mode, delay) sets the simulator's behaviour; it is put back to 正常 after the test."""

    def switch(mode: str, delay: float | None = None) -> None:
        with product.session_factory.begin() as session:
            jlis.set_state(session, mode, delay, actor="test")

    yield switch
    switch("normal")


def client(product, timeout: float) -> tuple[jlis.SimulatedJlis, list[float]]:
    """A simulated J-LIS on the test database that records its waits instead of sleeping."""
    waits: list[float] = []
    return jlis.SimulatedJlis(product.session_factory, timeout=timeout, sleep=waits.append), waits


def test_normal_answers_without_waiting(product, jlis_mode):
    simulated, waits = client(product, timeout=3)
    assert simulated.certificate_status(VALID).status == "valid" and waits == []


def test_down_fails_at_once_with_the_jlis_code(product, jlis_mode):
    jlis_mode("down")
    simulated, waits = client(product, timeout=3)
    with pytest.raises(JlisUnavailable) as failed:
        simulated.certificate_status(VALID)
    assert failed.value.code == "jlis_unavailable" and "J-LIS" in failed.value.message
    assert "再試行" in failed.value.message and waits == []
    assert isinstance(failed.value, JukiUnavailable)  # handled wherever a neighbour being down is handled


def test_a_delay_beyond_the_timeout_fails_after_the_timeout(product, jlis_mode):
    jlis_mode("slow", 30)
    simulated, waits = client(product, timeout=2.5)
    with pytest.raises(JlisUnavailable, match="2.5秒以内に応答しませんでした"):
        simulated.certificate_status(VALID)
    assert waits == [2.5]


def test_a_delay_within_the_timeout_still_answers(product, jlis_mode):
    jlis_mode("slow", 1)
    simulated, waits = client(product, timeout=2.5)
    assert simulated.certificate_status("ABCDEF12DEAD").status == "revoked" and waits == [1.0]


def test_the_state_is_read_through_the_callers_session(product, jlis_mode):
    jlis_mode("down")
    simulated, _ = client(product, timeout=3)
    with product.session_factory() as session, pytest.raises(JlisUnavailable):
        simulated.certificate_status(VALID, session=session)
    jlis_mode("normal")
    with product.session_factory() as session:
        assert simulated.certificate_status(VALID, session=session).valid


@pytest.mark.parametrize(("mode", "delay", "message"), [
    ("broken", None, "正常・応答なし（障害）・遅延"),
    ("slow", None, "遅延の秒数"),
    ("slow", "abc", "遅延の秒数"),
    ("slow", "0", "遅延の秒数"),
    ("slow", "601", "遅延の秒数"),
    ("slow", "nan", "遅延の秒数"),
])
def test_bad_states_are_refused_and_nothing_changes(product, jlis_mode, mode, delay, message):
    jlis_mode("down")
    with product.session_factory.begin() as session, pytest.raises(InvalidChange, match=message):
        jlis.set_state(session, mode, delay, actor="test")
    with product.session_factory() as session:
        assert jlis.state_of(session).mode == "down"


def test_the_delay_is_kept_only_for_the_slow_mode(product, jlis_mode):
    jlis_mode("slow", "12.5")
    with product.session_factory() as session:
        state = jlis.state_of(session)
    assert (state.mode, state.delay_seconds, state.label, state.updated_by) == ("slow", 12.5, "遅延（12.5秒）", "test")
    jlis_mode("down", "7")
    with product.session_factory() as session:
        assert jlis.state_of(session).delay_seconds is None


def config(**changes) -> dict:
    return defaults("/tmp/instance") | {"SECRET_KEY": "test-secret-key-0123456789"} | changes


def test_the_jlis_timeout_reaches_the_client(database_url):
    check_config(config(JLIS_TIMEOUT=7))
    assert defaults("/tmp/instance")["JLIS_TIMEOUT"] == 5.0
    built = build_product(config(JLIS_TIMEOUT="7.5", DATABASE_URL=database_url))
    assert built.services.jlis.timeout == 7.5
    built.session_factory.kw["bind"].dispose()


@pytest.mark.parametrize("value", [0, -1, 121, "abc", None, "nan"])
def test_a_bad_jlis_timeout_refuses_to_start(value):
    with pytest.raises(ConfigurationError, match="INKAN_JLIS_TIMEOUT は0より大きく120以下の秒数"):
        check_config(config(JLIS_TIMEOUT=value))
