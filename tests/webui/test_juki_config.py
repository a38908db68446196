"""INKAN_JUKI picks the resident register adapter; its URL, timeouts and the コンビニ交付 hours are checked at
start-up with a Japanese message."""

from __future__ import annotations

import pytest

from juki import SimulatedRegister
from juki.http import HttpRegister
from juki.linkage import LinkageSettings
from webui.config import ConfigurationError, check_config, defaults, linkage_settings
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
    ({"JUKI_LINKAGE": "poll"}, "INKAN_JUKI_LINKAGE は pull / push / file"),
    ({"JUKI_LINKAGE": ""}, "INKAN_JUKI_LINKAGE は pull / push / file"),
    ({"JUKI_LINKAGE": "pull,file"}, "INKAN_JUKI_FILE_DIR"),
    ({"JUKI_LINKAGE": "file", "JUKI_FILE_DIR": "/nonexistent/juki"}, "既存のフォルダ"),
    ({"JUKI_PULL_SECONDS": 0}, "INKAN_JUKI_PULL_SECONDS"),
    ({"JUKI_PULL_SECONDS": "soon"}, "INKAN_JUKI_PULL_SECONDS"),
])
def test_bad_settings_refuse_to_start(changes, message):
    with pytest.raises(ConfigurationError, match=message):
        check_config(config(**changes))


def test_pull_is_the_default_way_in_and_several_can_be_combined(tmp_path):
    assert linkage_settings(config()) == LinkageSettings(modes=("pull",), pull_seconds=60.0)
    chosen = linkage_settings(config(JUKI_LINKAGE=" File , pull,push,pull", JUKI_PULL_SECONDS="30",
                                     JUKI_FILE_DIR=str(tmp_path)))
    assert (chosen.modes, chosen.pull_seconds, chosen.file_dir) == (("file", "pull", "push"), 30.0, tmp_path)
    assert chosen.pulls and chosen.pushes and chosen.reads_files
