from webui.verify.routes import bp

__all__ = ["bp"]
