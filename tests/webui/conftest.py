"""Fixtures shared by the web tests: the コンビニ交付 ones (tests/support/konbini.py) and the movable clock
(tests/support/auth.py)."""

from tests.support.auth import clock  # noqa: F401 — fixture, found by name
from tests.support.konbini import office_seal, open_all_day  # noqa: F401 — fixtures, found by name
