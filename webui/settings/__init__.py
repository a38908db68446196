from webui.settings.routes import bp

__all__ = ["bp"]
