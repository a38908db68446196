"""`inkan users …`: staff accounts from the command line (the first administrator comes from here).

Each command is one audited operation of handlers/services/staff.py, recorded with the actor `inkan-cli`.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from engine.actor import ROLE_LABELS, Actor
from handlers.services import staff
from registry.staff.accounts import MAX_TOKEN_DAYS, MIN_PASSWORD, TOKEN_DAYS, AccountError
from registry.staff.models import ROLES
from webui.templating import jst
from webui.wiring import product

__all__ = ["CLI_ACTOR", "users"]

CLI_ACTOR = Actor("inkan-cli", "admin", "コマンドライン")


@click.group("users")
def users() -> None:
    """職員アカウントの管理（追加・一覧・ロック解除・無効化・パスワード・APIトークン）。"""


def _run(operation):
    """Run `operation(session)` in one transaction; an AccountError becomes the command's error (exit 1)."""
    try:
        with product().session_factory.begin() as session:
            return operation(session)
    except AccountError as exc:
        raise click.ClickException(exc.message) from None


def _new_password(given: str | None) -> str:
    if given is not None:
        return given
    return click.prompt(f"新しいパスワード（{MIN_PASSWORD}文字以上）", hide_input=True,
                        confirmation_prompt="確認のためもう一度")


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--password", default=None, help="省略すると入力を求める（画面に表示されず、履歴にも残らない）")
@click.option("--display-name", default=None)
@with_appcontext
def users_add(name: str, role: str, password: str | None, display_name: str | None) -> None:
    """職員を追加する（既存なら役割とパスワードを更新し、その利用者のログインを終了する）。"""
    secret = _new_password(password)
    _run(lambda s: staff.add_user(s, product().services, CLI_ACTOR, name, role, secret, display_name))
    click.echo(f"利用者 {name}（{role}）を登録しました")


@users.command("list")
@with_appcontext
def users_list() -> None:
    """利用者の一覧（役割・状態・ロック・ログイン失敗・最終ログイン・有効なAPIトークン数）。"""
    rows = _run(lambda s: staff.user_rows(s, product().services))
    click.echo("利用者名\t役割\t表示名\t状態\tロック\t失敗\t最終ログイン\tAPIトークン")
    for row in rows:
        user = row.user
        locked = f"{jst(row.locked_until, '%H:%M')}まで" if row.locked_until else "-"
        click.echo("\t".join((user.username, ROLE_LABELS.get(user.role, user.role), user.display_name,
                              "有効" if user.is_active else "無効", locked, str(row.failures),
                              jst(user.last_login_at) or "-", str(row.live_tokens))))


@users.command("unlock")
@click.argument("name")
@with_appcontext
def users_unlock(name: str) -> None:
    """ログイン失敗によるロック（と待ち時間）を解除する。"""
    failures = _run(lambda s: staff.unlock(s, product().services, CLI_ACTOR, name))
    click.echo(f"利用者 {name} のロックを解除しました（ログイン失敗 {failures} 回の記録を消去）")


@users.command("deactivate")
@click.argument("name")
@with_appcontext
def users_deactivate(name: str) -> None:
    """利用者を無効にする（ログイン中の画面はすべて終了し、APIトークンも使えなくなる）。"""
    _run(lambda s: staff.deactivate(s, product().services, CLI_ACTOR, name))
    click.echo(f"利用者 {name} を無効にしました")


@users.command("activate")
@click.argument("name")
@with_appcontext
def users_activate(name: str) -> None:
    """無効にした利用者を有効に戻す。"""
    _run(lambda s: staff.activate(s, product().services, CLI_ACTOR, name))
    click.echo(f"利用者 {name} を有効にしました")


@users.command("password")
@click.argument("name")
@with_appcontext
def users_password(name: str) -> None:
    """パスワードを設定する（入力を求める。その利用者のログインはすべて終了する）。"""
    secret = _new_password(None)
    _run(lambda s: staff.set_password(s, product().services, CLI_ACTOR, name, secret))
    click.echo(f"利用者 {name} のパスワードを設定しました")


@users.command("token")
@click.argument("name")
@click.option("--days", default=TOKEN_DAYS, show_default=True, type=click.IntRange(1, MAX_TOKEN_DAYS),
              help="有効日数")
@with_appcontext
def users_token(name: str, days: int) -> None:
    """APIトークンを発行して表示する（トークンは再表示できません）。"""
    click.echo(_run(lambda s: staff.issue_token(s, product().services, CLI_ACTOR, name, days)))


@users.command("revoke-token")
@click.argument("name")
@click.option("--token-id", default=None, type=int, help="このIDのトークンだけを失効させる（省略: すべて）")
@with_appcontext
def users_revoke_token(name: str, token_id: int | None) -> None:
    """APIトークンを失効させる。"""
    revoked = _run(lambda s: staff.revoke_tokens(s, product().services, CLI_ACTOR, name, token_id))
    click.echo(f"利用者 {name} のAPIトークンを失効させました（ID {', '.join(map(str, revoked))}）")
