"""INKAN_JUKI picks the resident register adapter; its URL, timeouts and the コンビニ交付 hours are checked at
start-up with a Japanese message."""

from __future__ import annotations

import pytest

from juki import SimulatedRegister
from juki.http import HttpRegister
from webui.config import ConfigurationError, check_config, defaults
from webui.wiring import juki_factory


def config(**changes) -> dict:
    return defaults("/tmp/instance") | {"SECRET_KEY": "test-secret-key-0123456789"} | changes


def test_the_simulator_is_the_default():
    check_config(config())
    assert juki_factory(config()) is SimulatedRegister


def test_http_adapter_with_its_timeout():
    settings = config(JUKI="http", JUKI_URL="http://127.0.0.1:9/juki", JUKI_TIMEOUT=7, JUKI_TOKEN="t")
    check_config(settings)
    adapter = juki_factory(settings)
    assert isinstance(adapter, HttpRegister) and adapter.timeout == 7.0 and adapter(None) is adapter
    adapter.close()


@pytest.mark.parametrize(("changes", "message"), [
    ({"JUKI": "ldap"}, "INKAN_JUKI は simulator か http"),
    ({"JUKI": "http", "JUKI_URL": ""}, "INKAN_JUKI_URL"),
    ({"JUKI_TIMEOUT": 0}, "INKAN_JUKI_TIMEOUT"),
    ({"JUKI_CONNECT_TIMEOUT": 500}, "INKAN_JUKI_CONNECT_TIMEOUT"),
    ({"KONBINI_HOURS": "23:00-06:30"}, "開始時刻は終了時刻より前"),
    ({"KONBINI_CLOSED_DAYS": "12/29"}, "休止日"),
])
def test_bad_settings_refuse_to_start(changes, message):
    with pytest.raises(ConfigurationError, match=message):
        check_config(config(**changes))
