"""/admin/users: the staff accounts (システム管理 only) — add, unlock, deactivate / activate, set a password,
issue and revoke API tokens. Each operation is one audited transaction (handlers/services/staff.py)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.actor import ROLE_LABELS
from engine.evidence.audit import events_titled, summary_of
from handlers.services import staff
from registry.staff import accounts
from registry.staff.accounts import MAX_TOKEN_DAYS, TOKEN_DAYS, AccountError
from webui.auth.users import current_actor, roles_required
from webui.wiring import product

bp = Blueprint("admin_users", __name__)

ADMIN_ROLES = ("admin",)
ADD_FIELDS = ("username", "display_name", "role", "password", "confirm")
SUMMARY_LABELS = {"reason": "理由", "address": "端末", "failures": "失敗回数", "address_failures": "端末の失敗回数",
                  "minutes": "ロック（分）", "days": "有効日数", "token_ids": "トークンID", "by": "設定者",
                  "role": "役割", "display_name": "表示名", "replaced": "既存を更新"}
VALUE_LABELS = {"wrong_password": "パスワード誤り", "unknown_user": "利用者名なし", "inactive": "無効な利用者",
                "self": "本人", True: "はい", False: "いいえ"}


@bp.get("")
@roles_required(*ADMIN_ROLES)
def index():
    return _index({}, None)


@bp.post("")
@roles_required(*ADMIN_ROLES)
def add():
    values = {field: request.form.get(field, "") for field in ADD_FIELDS}
    username = values["username"].strip()
    try:
        if values["password"] != values["confirm"]:
            raise AccountError("確認用のパスワードが一致しません")
        with product().session_factory.begin() as session:
            user = staff.add_user(session, product().services, current_actor(), username, values["role"],
                                  values["password"], values["display_name"].strip() or None, replace=False)
            user_id = user.id
    except AccountError as exc:
        return _index(values, exc.message), 422
    flash(f"利用者 {username} を登録しました", "success")
    return redirect(url_for("admin_users.show", user_id=user_id))


@bp.get("/<int:user_id>")
@roles_required(*ADMIN_ROLES)
def show(user_id: int):
    return _show(user_id)


@bp.post("/<int:user_id>/unlock")
@roles_required(*ADMIN_ROLES)
def unlock(user_id: int):
    return _operate(user_id, lambda s, name: staff.unlock(s, product().services, current_actor(), name),
                    "{name} のロックを解除しました（ログイン失敗 {result} 回の記録を消去）")


@bp.post("/<int:user_id>/deactivate")
@roles_required(*ADMIN_ROLES)
def deactivate(user_id: int):
    return _operate(user_id, lambda s, name: staff.deactivate(s, product().services, current_actor(), name),
                    "{name} を無効にしました（ログイン中の画面はすべて終了します）")


@bp.post("/<int:user_id>/activate")
@roles_required(*ADMIN_ROLES)
def activate(user_id: int):
    return _operate(user_id, lambda s, name: staff.activate(s, product().services, current_actor(), name),
                    "{name} を有効にしました")


@bp.post("/<int:user_id>/password")
@roles_required(*ADMIN_ROLES)
def set_password(user_id: int):
    new, confirm = request.form.get("password", ""), request.form.get("confirm", "")

    def change(session, name):
        if new != confirm:
            raise AccountError("確認用のパスワードが一致しません")
        staff.set_password(session, product().services, current_actor(), name, new)

    return _operate(user_id, change, "{name} のパスワードを設定しました（ログイン中の画面はすべて終了します）")


@bp.post("/<int:user_id>/tokens")
@roles_required(*ADMIN_ROLES)
def issue_token(user_id: int):
    days = request.form.get("days", type=int)
    try:
        with product().session_factory.begin() as session:
            name = accounts.get_user_by_id(session, user_id).username
            token = staff.issue_token(session, product().services, current_actor(), name,
                                      days if days is not None else 0)
    except AccountError as exc:
        flash(exc.message, "error")
        return _show(user_id), 422
    return _show(user_id, new_token=token)


@bp.post("/<int:user_id>/tokens/revoke")
@roles_required(*ADMIN_ROLES)
def revoke_tokens(user_id: int):
    token_id = request.form.get("token_id", type=int)
    return _operate(user_id, lambda s, name: staff.revoke_tokens(s, product().services, current_actor(), name,
                                                                 token_id),
                    "{name} のAPIトークンを失効させました（ID {result}）")


def _operate(user_id: int, operation, done: str):
    """Run one audited operation on the user; flash the outcome; the user's page again (422 on refusal)."""
    try:
        with product().session_factory.begin() as session:
            name = accounts.get_user_by_id(session, user_id).username
            result = operation(session, name)
    except AccountError as exc:
        if isinstance(exc, accounts.UserNotFound):
            raise
        flash(exc.message, "error")
        return _show(user_id), 422
    if isinstance(result, list):
        result = "、".join(str(item) for item in result)
    flash(done.format(name=name, result=result), "success")
    return redirect(url_for("admin_users.show", user_id=user_id))


def _index(values: dict, error: str | None):
    with product().session_factory() as session:
        rows = staff.user_rows(session, product().services)
    return render_template("users/index.html", rows=rows, values=values, error=error, roles=ROLE_LABELS,
                           now=product().services.utcnow())


def _show(user_id: int, new_token: str | None = None):
    with product().session_factory() as session:
        user = accounts.get_user_by_id(session, user_id)
        row = staff.user_rows(session, product().services, [user])[0]
        tokens = accounts.tokens_of(session, user_id)
        events = [(event, summary_of(event))
                  for event in events_titled(session, user.username, staff.ACCOUNT_EVENT_KINDS)]
    return render_template("users/show.html", row=row, user=user, tokens=tokens, events=events,
                           new_token=new_token, now=product().services.utcnow(), token_days=TOKEN_DAYS,
                           max_token_days=MAX_TOKEN_DAYS, summary_labels=SUMMARY_LABELS, value_labels=VALUE_LABELS)
