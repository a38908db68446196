"""The `inkan` command line: init, users add / token, and the production secret refusal."""

from __future__ import annotations

import pytest

from conftest import make_database, make_test_app
from webui import create_app
from webui.config import ConfigurationError


def test_production_refuses_the_default_secret(database_url):
    with pytest.raises(ConfigurationError, match="INKAN_SECRET_KEY"):
        create_app({"DATABASE_URL": database_url, "ENV": "production"})
    create_app({"DATABASE_URL": database_url, "ENV": "production", "SECRET_KEY": "a-real-secret-of-some-length"})


def test_init_migrates_loads_flows_and_seeds_the_demo(tmp_path_factory):
    url = make_database("sqlite", tmp_path_factory)
    app = make_test_app(url, tmp_path_factory)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "sokuji_touroku.bpmn: 新しい版を登録" in result.output
    assert "2400 人を登録しました" in result.output
    assert result.output.count("デモ登録:") == 2 and "登録番号 00000019" in result.output
    again = runner.invoke(args=["init"])
    assert again.exit_code == 0 and "変更なし" in again.output and "デモ登録" not in again.output
    client = app.test_client()
    response = client.post("/login", data={"username": "madoguchi", "password": "inkan-demo-2026"})
    assert response.status_code == 302


def test_users_add_and_token(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "add", "cli-clerk", "--role", "backyard", "--password", "long-enough-pw"])
    assert result.exit_code == 0 and "cli-clerk" in result.output
    refused = runner.invoke(args=["users", "add", "x", "--role", "backyard", "--password", "short"])
    assert refused.exit_code != 0 and "8文字以上" in refused.output
    bad_role = runner.invoke(args=["users", "add", "x", "--role", "mayor", "--password", "long-enough-pw"])
    assert bad_role.exit_code != 0
    token = runner.invoke(args=["users", "token", "cli-clerk"]).output.strip()
    assert token.startswith("ink_")
    response = app.test_client().get("/api/v1/inbox?lane=バックヤード", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    unknown = runner.invoke(args=["users", "token", "nobody"])
    assert unknown.exit_code != 0 and "存在しません" in unknown.output
