"""The 自動交付機 API (/api/v1/kiosk) for the office's automatic issuing machines, authenticated by a shared key,
and the simulated machine page (/jidou, admin)."""

from webui.jidou.routes import api_bp, bp

__all__ = ["api_bp", "bp"]
