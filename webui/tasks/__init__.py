from webui.tasks.routes import bp

__all__ = ["bp"]
