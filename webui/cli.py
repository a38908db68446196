"""The `inkan` command: init, serve, worker, users. Each command calls one function of the layers below."""

from __future__ import annotations

import signal
import sys
import threading

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from engine.library.catalog import deploy_directory
from engine.runtime.worker import run_worker
from registry.staff import accounts
from webui import schema
from webui.audit_cli import audit
from webui.backup_cli import backup_command, restore_command
from webui.config import ConfigurationError
from webui.definitions_cli import definitions
from webui.print_cli import print_group
from webui.registry_cli import registry_group
from webui.seal_cli import seal
from webui.settings.seed import seed_office_settings
from webui.users_cli import users
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
    app.cli.add_command(registry_group)


@click.command("init")
@click.option("--demo/--no-demo", default=None,
              help="デモ用の利用者・住民・登録データを投入する（開発環境の既定。INKAN_ENV=production では不可）")
@with_appcontext
def init_command(demo: bool | None) -> None:
    """データベースを作成・移行し、業務フロー定義を読み込む（開発環境ではデモデータも投入する）。"""
    production = current_app.config["ENV"] == "production"
    if production and demo:
        click.echo("INKAN_ENV=production ではデモデータ（公開パスワードのデモ用アカウントを含む）を投入できません。"
                   "--demo を外してください", err=True)
        sys.exit(2)
    demo = not production if demo is None else demo
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
    if production:
        _warn_about_demo_accounts()


def _warn_about_demo_accounts() -> None:
    """In production, name the demo accounts still active with the published password (they must go)."""
    from webui.demo import demo_accounts_with_published_password

    for username in demo_accounts_with_published_password(product()):
        click.echo(f"警告: デモ用アカウント {username} が公開パスワードのまま有効です。"
                   f"inkan users deactivate {username} で無効にしてください", err=True)
    with product().session_factory() as session:
        if not accounts.active_admins(session):
            click.echo("有効なシステム管理者がいません。最初の管理者を inkan users add NAME --role admin で"
                       "登録してください（パスワードは12文字以上）")


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
    if current_app.config["WARM_UP"]:  # service tasks measure scans and render documents here too
        from webui.warmup import start_warm_up

        start_warm_up(product().services.imaging_pool)
    try:
        run_worker(product().runner, stop, interval or float(current_app.config["WORKER_INTERVAL_SECONDS"]),
                   rounds=(product().linkage_round, product().process_resident_events))
    finally:
        product().services.imaging_pool.shutdown()
