from webui.documents.routes import bp

__all__ = ["bp"]
