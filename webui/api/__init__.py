"""The JSON API (/api/v1): bearer-token access to flows, tasks, residents and records."""

from webui.api import juki_events  # noqa: F401 — registers POST /juki/events on the blueprint
from webui.api.routes import bp

__all__ = ["bp"]
