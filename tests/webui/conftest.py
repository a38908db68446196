"""Fixtures shared by the web tests: the コンビニ交付 ones (tests/support/konbini.py)."""

from tests.support.konbini import office_seal, open_all_day  # noqa: F401 — fixtures, found by name
