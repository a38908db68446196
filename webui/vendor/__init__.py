from webui.vendor.routes import bp

__all__ = ["bp"]
