from webui.users.routes import bp

__all__ = ["bp"]
