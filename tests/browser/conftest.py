"""A live server of the test app, a headless Debian Chromium driven by Playwright, and where screenshots go."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.support.auth import clock  # noqa: F401 — fixture, found by name

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS_ENV = "INKAN_SCREENSHOTS_DIR"  # `make screenshots` points it at docs/
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, tmp_path):
    contexts = []

    def _open():
        context = browser.new_context(locale="ja-JP", accept_downloads=True, viewport={"width": 1400, "height": 1000})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def docs_shot(tmp_path):
    """docs_shot("flows/4.4.1-haishi.png") → the path for a screenshot that illustrates docs/: under
    $INKAN_SCREENSHOTS_DIR when set (`make screenshots` refreshes the committed ones), else under the test's
    tmp_path — a test run never writes into the tree."""
    root = Path(os.environ[SCREENSHOTS_ENV]) if os.environ.get(SCREENSHOTS_ENV) else tmp_path / "docs"

    def _path(relative: str) -> str:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return str(path)

    return _path
