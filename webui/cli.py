"""The `inkan` command: init, serve, worker, users. Each command calls one function of the layers below."""

from __future__ import annotations

import signal
import sys
import threading

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from engine.catalog import deploy_directory
from engine.worker import run_worker
from registry.errors import RegistryError
from registry.staff import accounts
from registry.staff.models import ROLES
from webui import schema
from webui.audit_cli import audit
from webui.backup_cli import backup_command, restore_command
from webui.config import ConfigurationError
from webui.definitions_cli import definitions
from webui.print_cli import print_group
from webui.seal_cli import seal
from webui.settings.seed import seed_office_settings
from webui.wiring import product


def main() -> None:
    from webui import create_app

    cli = FlaskGroup(create_app=create_app, add_default_commands=False, add_version_option=False,
                     help="印鑑登録システム — 管理コマンド")
    try:
        cli.main(prog_name="inkan")
    except ConfigurationError as exc:
        click.echo(f"設定エラー: {exc}", err=True)
        sys.exit(2)


def register_cli(app: Flask) -> None:
    for command in (init_command, serve_command, worker_command, users, backup_command, restore_command):
        app.cli.add_command(command)
    app.cli.add_command(seal)
    app.cli.add_command(print_group)
    app.cli.add_command(audit)
    app.cli.add_command(definitions)


@click.command("init")
@click.option("--demo/--no-demo", default=True, help="デモ用の利用者・住民・登録データを投入する")
@with_appcontext
def init_command(demo: bool) -> None:
    """データベースを作成・移行し、業務フロー定義を読み込み、デモデータを投入する。"""
    schema.upgrade(current_app.config["DATABASE_URL"])
    click.echo("データベース: 最新のスキーマに移行しました")
    if not load_definitions():
        sys.exit(1)
    click.echo(seed_office_settings(product(), demo_seal=demo))
    if demo:
        from webui.demo import seed_demo

        report = seed_demo(product(), current_app.instance_path)
        for line in report.lines():
            click.echo(line)


def load_definitions() -> bool:
    """Deploy bpmn/*.bpmn; print each result; False when any file was refused."""
    prod = product()
    with prod.session_factory.begin() as session:
        results = deploy_directory(session, prod.bpmn_dir, prod.handlers, actor="inkan-init")
    ok = True
    for result in results:
        if result.status == "refused":
            ok = False
            where = f"（要素 {result.error.element_id}）" if result.error.element_id else ""
            click.echo(f"業務フロー定義 {result.source}: 読込を拒否しました{where}: {result.error.message}", err=True)
        else:
            label = "新しい版を登録" if result.status == "new_version" else "変更なし"
            click.echo(f"業務フロー定義 {result.source}: {label}（版 {result.content_hash[:12]}）")
    return ok


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int, threads: int) -> None:
    """画面とAPIを提供する（既定では同じプロセスでワーカーも動かす）。"""
    from webui.server import serve

    serve(current_app._get_current_object(), host=host, port=port, threads=threads)


@click.command("worker")
@click.option("--interval", default=None, type=float, help="ポーリング間隔（秒）")
@with_appcontext
def worker_command(interval: float | None) -> None:
    """タイマー等のバックグラウンド処理だけを動かす（スケールアウト用）。"""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    click.echo("ワーカーを開始しました（停止: Ctrl+C）")
    run_worker(product().runner, stop, interval or float(current_app.config["WORKER_INTERVAL_SECONDS"]),
               rounds=(product().linkage_round, product().process_resident_events))


@click.group("users")
def users() -> None:
    """職員アカウントの管理。"""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--password", required=True)
@click.option("--display-name", default=None)
@with_appcontext
def users_add(name: str, role: str, password: str, display_name: str | None) -> None:
    """職員を追加する（既存なら役割とパスワードを更新）。"""
    try:
        with product().session_factory.begin() as session:
            accounts.add_user(session, name, role, password, display_name)
    except RegistryError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"利用者 {name}（{role}）を登録しました")


@users.command("token")
@click.argument("name")
@with_appcontext
def users_token(name: str) -> None:
    """APIトークンを発行して表示する（トークンは再表示できません）。"""
    try:
        with product().session_factory.begin() as session:
            token = accounts.issue_token(session, name)
    except RegistryError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(token)
