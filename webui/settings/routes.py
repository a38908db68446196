"""/admin/settings: the municipality settings (市区町村設定) an admin edits, with the office seal and history."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from handlers.services.settings import LABELS, MAX_CHARS, SettingsInvalid, is_loopback_url, save_settings
from registry.settings.store import municipality_history
from webui.auth.users import current_actor, roles_required
from webui.settings.forms import read_seal_upload
from webui.wiring import product

bp = Blueprint("settings", __name__)

ADMIN_ROLES = ("admin",)


@bp.get("")
@roles_required(*ADMIN_ROLES)
def edit():
    current = _current()
    return _page(current, current.values(), {})


@bp.post("")
@roles_required(*ADMIN_ROLES)
def save():
    texts = {field: request.form.get(field, "") for field in MAX_CHARS}
    show_sex = request.form.get("show_sex") == "1"
    try:
        seal_png = read_seal_upload(request.files.get("office_seal"))
        with product().session_factory.begin() as session:
            saved = save_settings(session, product().services, texts, show_sex=show_sex, seal_png=seal_png,
                                  actor=current_actor(), note=request.form.get("note") or None)
    except SettingsInvalid as exc:
        return _page(_current(), texts | {"show_sex": show_sex}, exc.errors), 422
    flash(f"市区町村設定を保存しました（第{saved.version}版）", "success")
    return redirect(url_for("settings.edit"))


def _current():
    with product().session_factory() as session:
        return product().services.office(session)


def _page(current, values: dict, errors: dict):
    with product().session_factory() as session:  # read, close, then render (templates may open sessions)
        history = municipality_history(session)
    return render_template("settings/edit.html", current=current, values=values, errors=errors, labels=LABELS,
                           limits=MAX_CHARS, history=history, verify=_verify_url_state(current))


def _verify_url_state(current) -> dict:
    """The /verify URL the QR codes open now, whether the server configuration sets it, and the default."""
    services = product().services
    in_force = services.certificate_verify_url(current)
    return {"in_force": in_force, "overridden": bool(services.verify_url), "local": is_loopback_url(in_force),
            "default": services.settings.office.verify_url}
