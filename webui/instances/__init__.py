from webui.instances.routes import bp

__all__ = ["bp"]
