"""A manager opens a shipped flow in the modeler, runs its shipped cases — every one passes, every sequence flow is
taken — and deploys it: 6.1 証明書交付 and 4.2.2 住民記録連動（抹消）, a flow started by a resident event."""

from __future__ import annotations

import pytest

from engine.casework import shipped_document
from engine.library import catalog
from tests.browser.test_modeler import run_tests
from tests.browser.test_registration_in_browser import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("process_id", ["shomeisho_kofu", "juki_rendou_massho"])
def test_a_manager_tests_and_deploys_a_shipped_flow(new_page, live_server, product, process_id, tmp_path):
    cases = shipped_document(product.bpmn_dir, process_id)["cases"]
    with product.session_factory() as session:
        active = catalog.active_definition(session, process_id)
    page = new_page()
    page.set_viewport_size({"width": 1600, "height": 1000})
    log_in(page, live_server, "manager")
    page.goto(f"{live_server}/library/")
    page.click(f"tr[data-process='{process_id}'] a")
    with page.expect_navigation():
        page.click(f"tr[data-version='{active.id}'] button:has-text('この版を編集')")
    page.wait_for_selector("#editor[data-ready=true]")

    summary = run_tests(page)
    page.screenshot(path=str(tmp_path / "tests.png"), full_page=True)
    assert summary.startswith(f"テスト {len(cases)}/{len(cases)} 件合格"), summary
    assert page.locator("[data-case] .badge-ok").count() == len(cases)
    assert page.locator("[data-case] .badge-danger").count() == 0
    assert page.locator(".djs-connection.uncovered").count() == 0

    page.click(".editor-toolbar [data-action=deploy]")  # asks first, showing what changes: nothing here
    page.wait_for_selector("[data-deploy-confirm] [data-no-changes]")
    with page.expect_navigation(timeout=180_000):
        page.click("[data-action=confirm-changes]")
    assert "反映しました" in page.locator(".flashes").inner_text()
    with product.session_factory() as session:
        assert catalog.active_definition(session, process_id).id == active.id  # the same content: the same version
