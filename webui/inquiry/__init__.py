from webui.inquiry.routes import bp

__all__ = ["bp"]
