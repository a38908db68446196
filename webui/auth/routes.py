from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from registry.staff import accounts
from webui.auth.forms import LoginForm
from webui.auth.users import LoginUser
from webui.wiring import product

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        with product().session_factory() as session:
            user = accounts.authenticate(session, form.username.data.strip(), form.password.data)
            if user is not None:
                login_user(LoginUser(user))
                target = request.args.get("next", "")
                return redirect(target if target.startswith("/") and not target.startswith("//")
                                else "/")
        flash("利用者名またはパスワードが違います", "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("ログアウトしました", "info")
    return redirect(url_for("auth.login"))
