"""The model library (/library): process definitions, versions, drafts in the modeler, tests, deploy, migration."""

from webui.library.routes import bp

__all__ = ["bp"]
