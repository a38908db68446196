"""Fixtures of the handler tests."""

from tests.support.auth import clock  # noqa: F401 — fixture, found by name
