"""The コンビニ交付 API for the J-LIS 証明書交付センター (/api/v1/konbini), authenticated by a shared key."""

from webui.konbini.routes import bp

__all__ = ["bp"]
