"""The JSON API (/api/v1): bearer-token access to flows, tasks, residents and records."""

from webui.api.routes import bp

__all__ = ["bp"]
