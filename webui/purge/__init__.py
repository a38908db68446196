from webui.purge.routes import bp

__all__ = ["bp"]
