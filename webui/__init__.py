"""The web UI and API: the Flask app factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from webui.config import load_config
from webui.extensions import csrf, login_manager
from webui.wiring import build_product

__all__ = ["create_app"]


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, the wired product, extensions, blueprints, error pages and CLI."""
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.extensions["inkan"] = build_product(app.config)
    login_manager.init_app(app)
    csrf.init_app(app)
    _register_blueprints(app)

    from webui.cli import register_cli
    from webui.errors import register_error_handlers
    from webui.guards import register_guards
    from webui.templating import register_template_helpers

    register_error_handlers(app)
    register_guards(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from webui import auth
    from webui.api import bp as api_bp
    from webui.inbox import bp as inbox_bp
    from webui.instances import bp as instances_bp
    from webui.residents import bp as residents_bp
    from webui.tasks import bp as tasks_bp
    from webui.vendor import bp as vendor_bp

    app.register_blueprint(auth.bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(tasks_bp, url_prefix="/tasks")
    app.register_blueprint(instances_bp, url_prefix="/instances")
    app.register_blueprint(residents_bp, url_prefix="/residents")
    app.register_blueprint(vendor_bp, url_prefix="/vendor")
    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, not cookies
    app.register_blueprint(api_bp, url_prefix="/api/v1")
