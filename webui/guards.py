"""Request guards applied to every route before it runs."""

from __future__ import annotations

from flask import Flask, abort, request


def refuse_nul_characters() -> None:
    """NUL cannot be stored in PostgreSQL text nor typed by a clerk: refuse it up front with 400."""
    texts = [request.path, *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH"):
        texts.extend(request.form.values())
        if request.is_json:
            body = request.get_data(cache=True)
            if b"\x00" in body or b"\\u0000" in body:
                abort(400, description="nul_character")
    if any("\x00" in text for text in texts):
        abort(400, description="nul_character")


def register_guards(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
