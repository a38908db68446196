"""Service-task operators: what the engine calls by operator id (registered in handlers/__init__.py), a
module per flow or per subject."""
