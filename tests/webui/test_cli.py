"""The `inkan` command line: init (demo in development, never in production), the production secret-key
refusals, and `inkan users` (add / list / password / deactivate / activate; tokens and unlock have their own
test files)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from conftest import make_database, make_test_app
from engine.models import ProcessInstance
from juki.models import SimResident
from registry.staff import accounts
from registry.staff.models import StaffUser
from tests.support.auth import account_events, client_at, fresh_account, sign_in
from webui import create_app
from webui.config import DEFAULT_SECRET, ConfigurationError
from webui.demo import DEMO_PASSWORD, DEMO_USERS

GOOD_SECRET = "k7Gq-2vXn9LwPz4RtY8sBc1MdHf6JeUa"  # 32 characters


@pytest.mark.parametrize("secret", [
    DEFAULT_SECRET, DEFAULT_SECRET.upper() + "-2026", "x" + DEFAULT_SECRET.replace("-", "_"),
    "my-do-not-use-in-production-secret-01", GOOD_SECRET[:31], "a" * 40, "abababababababababababababababab12"])
def test_production_refuses_a_short_or_default_derived_secret(database_url, secret):
    with pytest.raises(ConfigurationError, match="INKAN_SECRET_KEY"):
        create_app({"DATABASE_URL": database_url, "ENV": "production", "SECRET_KEY": secret})


def test_production_accepts_a_strong_secret_and_development_a_short_one(database_url):
    create_app({"DATABASE_URL": database_url, "ENV": "production", "SECRET_KEY": GOOD_SECRET})
    create_app({"DATABASE_URL": database_url, "ENV": "development", "SECRET_KEY": "sixteen-chars-ok"})
    with pytest.raises(ConfigurationError, match="INKAN_ENV"):
        create_app({"DATABASE_URL": database_url, "ENV": "prod", "SECRET_KEY": GOOD_SECRET})


def test_the_command_exits_2_with_a_japanese_message_on_a_weak_production_secret(tmp_path):
    env = {**os.environ, "INKAN_ENV": "production", "INKAN_SECRET_KEY": "short-secret-key-123",
           "INKAN_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    result = subprocess.run([sys.executable, "-c", "from webui.cli import main; main()", "users", "list"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "設定エラー: INKAN_ENV=production では INKAN_SECRET_KEY を32文字以上にしてください" in result.stderr


@pytest.mark.slow
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
    assert len(DEMO_PASSWORD) >= accounts.MIN_PASSWORD


def test_production_init_creates_no_demo_data_and_asks_for_the_first_admin(tmp_path_factory):
    url = make_database("sqlite", tmp_path_factory)
    app = make_test_app(url, tmp_path_factory, ENV="production", SECRET_KEY=GOOD_SECRET)
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "sokuji_touroku.bpmn: 新しい版を登録" in result.output and "デモ" not in result.output
    assert "最初の管理者を inkan users add NAME --role admin で登録してください" in result.output
    assert _counts(app) == {"users": 0, "residents": 0, "instances": 0}
    assert sign_in(client_at(app), "admin", DEMO_PASSWORD).status_code == 401

    runner = app.test_cli_runner()
    short = runner.invoke(args=["users", "add", "chief", "--role", "admin", "--password", "eleven-char"])
    assert short.exit_code == 1 and "パスワードは12文字以上にしてください" in short.output
    first = runner.invoke(args=["users", "add", "chief", "--role", "admin", "--display-name", "課長"],
                          input="twelve-chars\ntwelve-chars\n")
    assert first.exit_code == 0 and "利用者 chief（admin）を登録しました" in first.output
    assert sign_in(client_at(app), "chief", "twelve-chars").status_code == 302
    assert "最初の管理者" not in runner.invoke(args=["init"]).output


def test_production_init_refuses_demo_data(tmp_path_factory):
    url = make_database("sqlite", tmp_path_factory)
    app = make_test_app(url, tmp_path_factory, ENV="production", SECRET_KEY=GOOD_SECRET)
    result = app.test_cli_runner().invoke(args=["init", "--demo"])
    assert result.exit_code == 2
    assert "INKAN_ENV=production ではデモデータ（公開パスワードのデモ用アカウントを含む）を投入できません" in result.output
    assert _counts(app) == {"users": 0, "residents": 0, "instances": 0}


def test_production_init_names_demo_accounts_left_with_the_published_password(tmp_path_factory):
    url = make_database("sqlite", tmp_path_factory)
    app = make_test_app(url, tmp_path_factory, ENV="production", SECRET_KEY=GOOD_SECRET)
    with app.extensions["inkan"].session_factory.begin() as session:  # a database once set up for the demo
        for username, role, display in DEMO_USERS[:2]:
            accounts.add_user(session, username, role, DEMO_PASSWORD, display)
    output = app.test_cli_runner().invoke(args=["init"]).output
    assert "警告: デモ用アカウント madoguchi が公開パスワードのまま有効です。inkan users deactivate madoguchi" in output
    assert "backyard" in output and "manager" not in output


def test_users_add_list_password_deactivate_activate(app, product):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "add", "cli-clerk", "--role", "backyard", "--password", "long-enough-pw"])
    assert result.exit_code == 0 and "cli-clerk" in result.output
    refused = runner.invoke(args=["users", "add", "x", "--role", "backyard", "--password", "short"])
    assert refused.exit_code != 0 and "12文字以上" in refused.output
    bad_role = runner.invoke(args=["users", "add", "x", "--role", "mayor", "--password", "long-enough-pw"])
    assert bad_role.exit_code != 0
    listed = runner.invoke(args=["users", "list"]).output
    assert listed.startswith("利用者名\t役割\t表示名\t状態\tロック\t失敗\t最終ログイン\tAPIトークン\n")
    assert "cli-clerk\tバックヤード\tcli-clerk\t有効\t-\t0\t-\t0" in listed
    changed = runner.invoke(args=["users", "password", "cli-clerk"], input="another-long-pw\nanother-long-pw\n")
    assert changed.exit_code == 0 and "パスワードを設定しました" in changed.output
    assert sign_in(client_at(app), "cli-clerk", "another-long-pw").status_code == 302
    assert runner.invoke(args=["users", "deactivate", "cli-clerk"]).exit_code == 0
    assert "cli-clerk\tバックヤード\tcli-clerk\t無効" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "deactivate", "cli-clerk"]).exit_code == 1  # already
    assert runner.invoke(args=["users", "activate", "cli-clerk"]).exit_code == 0
    kinds = [e["kind"] for e in account_events(product, "cli-clerk") if e["actor"] == "inkan-cli"]
    assert kinds == ["account_added", "password_changed", "account_deactivated", "account_activated"]
    unknown = runner.invoke(args=["users", "token", "nobody"])
    assert unknown.exit_code != 0 and "存在しません" in unknown.output


def test_the_last_active_admin_is_never_deactivated(app, product, monkeypatch):
    admin = fresh_account(product, "admin")
    monkeypatch.setattr(accounts, "active_admins", lambda session: 1)
    result = app.test_cli_runner().invoke(args=["users", "deactivate", admin.username])
    assert result.exit_code == 1 and "最後の有効なシステム管理者は無効にできません" in result.output
    demoted = app.test_cli_runner().invoke(args=["users", "add", admin.username, "--role", "madoguchi",
                                                 "--password", "long-enough-pw"])
    assert demoted.exit_code == 1 and "最後の有効なシステム管理者の役割は変えられません" in demoted.output
    with product.session_factory() as session:
        assert accounts.get_user(session, admin.username).role == "admin"


def _counts(app) -> dict:
    with app.extensions["inkan"].session_factory() as session:
        count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
        return {"users": count(StaffUser), "residents": count(SimResident), "instances": count(ProcessInstance)}
