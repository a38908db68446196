"""Third-party browser files from node_modules, limited to the bpmn-js distribution (the diagram viewer)."""

from __future__ import annotations

import posixpath

from flask import Blueprint, abort, current_app, send_from_directory
from flask_login import login_required

bp = Blueprint("vendor", __name__)

ALLOWED_PREFIX = "bpmn-js/dist/"


def allowed_path(filename: str) -> str | None:
    """The normalised path when it stays inside bpmn-js/dist/; None otherwise."""
    if "\\" in filename or "\x00" in filename:
        return None
    normal = posixpath.normpath(filename)
    if normal.startswith("/") or ".." in normal.split("/") or not normal.startswith(ALLOWED_PREFIX):
        return None
    return normal


@bp.get("/<path:filename>")
@login_required
def asset(filename: str):
    normal = allowed_path(filename)
    if normal is None:
        abort(404)
    return send_from_directory(current_app.config["STATIC_VENDOR_DIR"], normal, max_age=86400)
