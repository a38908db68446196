"""/login, /logout and /account/password: signing in under the throttle, signing out everywhere."""

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from handlers.services import staff
from registry.staff.accounts import AccountError
from webui.auth.forms import LoginForm, PasswordChangeForm
from webui.auth.next_url import is_local_path, safe_next
from webui.auth.sessions import close_session, open_session, renew_session
from webui.wiring import product

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    target = request.args.get("next")
    next_url = target if target and is_local_path(target) else None
    if form.validate_on_submit():
        outcome = staff.sign_in(product().session_factory, product().services, form.username.data.strip(),
                                form.password.data, request.remote_addr)
        if outcome.account is not None:
            open_session(outcome.account)
            return redirect(safe_next(next_url))
        return _refused(outcome, "auth/login.html", 401, form=form, next_url=next_url)
    return render_template("auth/login.html", form=form, next_url=next_url)


@bp.post("/logout")
@login_required
def logout():
    with product().session_factory.begin() as session:
        staff.record_logout(session, product().services, current_user.user_id)
    close_session()
    flash("ログアウトしました（ほかの端末・画面のログインも終了しました）", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """The signed-in user's own password change; every other session of the user ends."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            outcome = staff.change_own_password(product().session_factory, product().services,
                                                current_user.username, form.current.data, form.new.data,
                                                request.remote_addr)
        except AccountError as exc:
            form.new.errors = [exc.message]
            return render_template("auth/password.html", form=form), 422
        if outcome.account is not None:
            renew_session(outcome.account)
            flash("パスワードを変更しました。ほかの端末・画面のログインは終了しました", "success")
            return redirect(url_for("inbox.index"))
        return _refused(outcome, "auth/password.html", 422, form=form)
    status = 422 if form.errors else 200
    return render_template("auth/password.html", form=form), status


def _refused(outcome: staff.SignIn, template: str, status: int, **context):
    """The form again with the refusal; 429 and Retry-After while the throttle's delay or lock runs."""
    flash(outcome.message, "error")
    response = make_response(render_template(template, refusal=outcome.refusal, **context),
                             429 if outcome.retry_after else status)
    if outcome.retry_after:
        response.headers["Retry-After"] = str(outcome.retry_after)
    return response
