from webui.api.routes import bp

__all__ = ["bp"]
