"""The web UI and API: the Flask app factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webui.config import load_config
from webui.extensions import csrf, login_manager
from webui.request_log import register_request_log
from webui.wiring import build_product

__all__ = ["create_app"]


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, the wired product, extensions, blueprints, error pages and CLI."""
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    register_request_log(app)  # first: its timer starts before, and its line is written after, everything else
    from webui.warmup import register_warm_up

    register_warm_up(app)
    from webui.audit.chains import install_chains

    install_chains()  # hash-chain registry history rows too (webui/audit/chains.py)
    app.extensions["inkan"] = build_product(app.config)
    login_manager.init_app(app)
    csrf.init_app(app)
    from webui.converters import install_converters

    install_converters(app)
    _register_blueprints(app)
    if hops := int(app.config["PROXY_COUNT"]):  # the client's address and scheme as the proxies saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from webui.auth.sessions import register_session_checks
    from webui.cli import register_cli
    from webui.errors import register_error_handlers
    from webui.guards import register_guards
    from webui.security_headers import register_security_headers
    from webui.templating import register_template_helpers

    register_error_handlers(app)
    register_guards(app)
    register_session_checks(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from webui import auth
    from webui.api import bp as api_bp
    from webui.audit import bp as audit_bp
    from webui.documents import bp as documents_bp
    from webui.exchange import bp as exchange_bp
    from webui.health import bp as health_bp
    from webui.inbox import bp as inbox_bp
    from webui.inquiry import bp as inquiry_bp
    from webui.instances import bp as instances_bp
    from webui.jidou import api_bp as jidou_api_bp
    from webui.jidou import bp as jidou_bp
    from webui.konbini import bp as konbini_bp
    from webui.library import bp as library_bp
    from webui.printjobs import bp as printjobs_bp
    from webui.purge import bp as purge_bp
    from webui.rendou import bp as rendou_bp
    from webui.residents import bp as residents_bp
    from webui.settings import bp as settings_bp
    from webui.simulator import bp as simulator_bp
    from webui.tasks import bp as tasks_bp
    from webui.users import bp as users_bp
    from webui.vendor import bp as vendor_bp
    from webui.verify import bp as verify_bp

    app.register_blueprint(health_bp)  # /healthz, /readyz: no login (load balancers)
    app.register_blueprint(auth.bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(tasks_bp, url_prefix="/tasks")
    app.register_blueprint(instances_bp, url_prefix="/instances")
    app.register_blueprint(audit_bp, url_prefix="/audit")
    app.register_blueprint(library_bp, url_prefix="/library")
    app.register_blueprint(residents_bp, url_prefix="/residents")
    app.register_blueprint(inquiry_bp, url_prefix="/inquiry")
    app.register_blueprint(documents_bp, url_prefix="/documents")
    app.register_blueprint(printjobs_bp, url_prefix="/print")
    app.register_blueprint(rendou_bp, url_prefix="/rendou")
    app.register_blueprint(settings_bp, url_prefix="/admin/settings")
    app.register_blueprint(users_bp, url_prefix="/admin/users")
    app.register_blueprint(purge_bp, url_prefix="/admin/purge")
    app.register_blueprint(exchange_bp, url_prefix="/admin/exchange")
    app.register_blueprint(verify_bp, url_prefix="/verify")
    app.register_blueprint(vendor_bp, url_prefix="/vendor")
    app.register_blueprint(simulator_bp)  # /admin/juki, /admin/jlis, /kiosk
    csrf.exempt(konbini_bp)  # the 交付センター authenticates with its shared key
    app.register_blueprint(konbini_bp, url_prefix="/api/v1/konbini")
    app.register_blueprint(jidou_bp)  # /jidou (the simulated machine), /jidou/locked (unlock)
    csrf.exempt(jidou_api_bp)  # the office's 自動交付機 authenticate with their shared key
    app.register_blueprint(jidou_api_bp, url_prefix="/api/v1/kiosk")
    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, not cookies
    app.register_blueprint(api_bp, url_prefix="/api/v1")
