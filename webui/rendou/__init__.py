from webui.rendou.routes import bp

__all__ = ["bp"]
