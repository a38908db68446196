"""The linkage tests' own database and products (tests/juki/linkage/conftest.py), for the browser test of the 連動
page with pull and file linkage; the browser itself comes from tests/browser/conftest.py."""

from tests.juki.linkage.conftest import (  # noqa: F401 — fixtures, found by name
    change_dir,
    driver,
    due_now,
    linkage_url,
    make_app,
    pulling,
)
