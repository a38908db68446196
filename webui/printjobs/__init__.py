from webui.printjobs.routes import bp

__all__ = ["bp"]
