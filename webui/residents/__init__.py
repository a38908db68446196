from webui.residents.routes import bp

__all__ = ["bp"]
