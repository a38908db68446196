from webui.audit.routes import bp

__all__ = ["bp"]
