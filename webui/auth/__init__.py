from webui.auth.routes import bp

__all__ = ["bp"]
