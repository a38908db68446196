"""移行データの取込・書出 (issue 17): the service the CLI and /admin/exchange share, and the admin page."""

from webui.exchange.routes import bp

__all__ = ["bp"]
