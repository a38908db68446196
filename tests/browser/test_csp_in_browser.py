"""Issue 12 point 8 in a real browser: under the Content-Security-Policy (no inline script, no style attributes)
the modeler opens, edits a name and saves; a task form with a file upload completes; the instance page draws
its diagram; the kiosk shows the issued certificate — with 0 CSP violations reported (console messages and
`securitypolicyviolation` events of every frame). A planted inline script shows that a violation is caught."""

from __future__ import annotations

import pytest

import imaging
from engine.actor import Actor
from engine.library import catalog, drafts
from tests.browser.test_registration_in_browser import log_in, log_out, submit_task
from tests.support.konbini import new_serial, office_seal, open_all_day, register_with_card  # noqa: F401

pytestmark = pytest.mark.browser

REPORTER = """() => document.addEventListener('securitypolicyviolation', (e) =>
  window.__cspViolation(`${e.violatedDirective} blocked=${e.blockedURI} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`))"""


class CspWatch:
    """Every CSP violation a page reports, from the console and from the DOM event, over all its navigations."""

    def __init__(self, page):
        self.page, self.violations = page, []
        page.on("console", self._console)
        page.expose_function("__cspViolation", lambda text: self.violations.append(text))
        page.add_init_script(f"({REPORTER})()")

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append(f"console: {message.text}")

    def goto(self, url: str):
        response = self.page.goto(url)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, (url, policy)
        return response


@pytest.fixture
def watched(new_page):
    watches = []

    def _open(width: int = 1400) -> CspWatch:
        page = new_page()
        page.set_viewport_size({"width": width, "height": 1000})
        watches.append(CspWatch(page))
        return watches[-1]

    return _open


def past_purpose(watch: CspWatch) -> None:
    """Answer the 閲覧の目的 question when the page just opened asks it (once per person and case), on the watch."""
    if "/audit/purpose" in watch.page.url:
        watch.page.check("input[name=purpose][value=audit]")
        with watch.page.expect_navigation():
            watch.page.click("form.purpose-form button")


def test_a_planted_inline_script_is_reported(watched, live_server):
    """The watch is not blind: an inline script added to a page is refused and reported."""
    watch = watched()
    log_in(watch.page, live_server, "madoguchi")
    watch.goto(f"{live_server}/")
    watch.page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';
                                   document.body.appendChild(s); }""")
    watch.page.wait_for_timeout(300)
    assert watch.page.evaluate("() => window.ran") is None
    assert any("script-src" in v for v in watch.violations), watch.violations


def test_the_modeler_opens_edits_and_saves_under_the_csp(watched, live_server, product):
    watch = watched(1600)
    page = watch.page
    log_in(page, live_server, "manager")
    with product.session_factory() as session:
        shipped = catalog.active_definition(session, "sokuji_touroku")
    watch.goto(f"{live_server}/library/processes/sokuji_touroku")
    with page.expect_navigation():
        page.click(f"tr[data-version='{shipped.id}'] button:has-text('この版を編集')")
    page.wait_for_selector("#editor[data-ready=true]")
    draft_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    try:
        element = page.evaluate("""() => window.InkanEditor.modeler.get('elementRegistry')
                                     .filter(e => e.type === 'bpmn:UserTask')[0].id""")
        page.evaluate("(id) => window.InkanEditor.select(id)", element)
        page.fill("#props input[name=name]", "受付の確認（CSP）")
        page.press("#props input[name=name]", "Tab")
        page.click("[data-action=save]")
        page.wait_for_function("() => /保存しました|保存できません/.test(document.querySelector('[data-status]').textContent)")
        assert "保存しました" in page.locator("[data-status]").inner_text()
        assert page.locator(".djs-palette").count() == 1 and page.locator(".djs-shape").count() > 5
        with product.session_factory() as session:
            assert "受付の確認（CSP）" in drafts.get_draft(session, draft_id).bpmn_xml
    finally:
        with product.session_factory.begin() as session:
            drafts.discard_draft(session, drafts.get_draft(session, draft_id), Actor("test", "manager"))
    assert watch.violations == []


def test_a_task_form_with_an_upload_and_the_instance_diagram_under_the_csp(watched, live_server, driver, tmp_path):
    outcome = driver.to_scan(driver.fresh_resident())
    scan = tmp_path / "scan.png"
    scan.write_bytes(imaging.make_seal_scan("山田", size_mm=15.0, dpi=300))
    watch = watched()
    page = watch.page
    log_in(page, live_server, "backyard")
    watch.goto(f"{live_server}/tasks/{driver.open_task(outcome.instance_id)}")
    page.set_input_files("input[type=file]", str(scan))
    assert page.locator("[data-seal-scan] img[data-preview]").is_visible()  # the blob: preview before sending
    with page.expect_navigation():
        page.click("button:has-text('読み取る')")  # the measured outline comes back before the task completes
    assert page.locator("[data-scan-reading] img").is_visible()
    submit_task(page)  # この印影で進む
    picture = page.locator(".impression-frame img").first
    width_mm = float(picture.get_attribute("data-width-mm"))
    assert abs(picture.bounding_box()["width"] - width_mm * 96 / 25.4) < 1  # drawn at its true size
    page.check("input[name=impression_decision][value=accept]")
    page.check("input[name=impression_name][value=full_name]")
    submit_task(page)
    watch.goto(f"{live_server}/instances/{outcome.instance_id}")
    if "/audit/purpose" in page.url:
        page.check("input[name=purpose][value=counter_application]")
        with page.expect_navigation():
            page.click("form.purpose-form button")
    page.wait_for_selector("#diagram .djs-shape")
    assert page.locator("#diagram .djs-shape").count() > 5
    assert watch.violations == []


@pytest.mark.usefixtures("office_seal", "open_all_day")
def test_the_kiosk_shows_the_certificate_under_the_csp(watched, live_server, driver):
    serial = new_serial()
    register_with_card(driver, serial)
    watch = watched()
    page = watch.page
    log_in(page, live_server, "admin")
    watch.goto(f"{live_server}/kiosk")
    page.fill("input[name=serial]", serial)
    with page.expect_navigation():
        page.click("button:has-text('交付を請求')")
    assert "交付しました" in page.locator("main").inner_text()
    frame = page.locator("iframe.kiosk-frame")
    assert frame.bounding_box()["height"] > 600  # sized by the stylesheet, not a style attribute
    pdf = page.request.get(live_server + frame.get_attribute("src"))
    assert pdf.headers["content-type"] == "application/pdf"
    assert "frame-ancestors 'self'" in pdf.headers["content-security-policy"]
    assert pdf.headers["x-frame-options"] == "SAMEORIGIN"
    frame.scroll_into_view_if_needed()
    assert _pdf_viewer_opened(page), [f.url for f in page.frames]  # Chromium's viewer draws the PDF in the frame
    assert watch.violations == []


def _pdf_viewer_opened(page, tries: int = 50) -> bool:
    for _ in range(tries):
        if any(f.url.startswith("chrome-extension://") for f in page.frames):
            return True
        page.wait_for_timeout(100)
    return False


def test_every_simulator_and_chart_page_draws_without_violations(watched, live_server, driver):
    """The pages whose inline styles moved to the stylesheet or to SVG attributes."""
    registered = driver.register()
    watch = watched()
    page = watch.page
    log_in(page, live_server, "admin")
    for path in ("/admin/juki", "/admin/jlis", "/admin/users", "/audit/reports", "/instances/987654"):
        watch.goto(f"{live_server}{path}")
    assert "事案が見つかりません" in page.locator("main").inner_text()
    with page.expect_navigation(wait_until="commit"):
        page.click("a[data-history-back]")  # the error page's way back is a script handler, not javascript:
    assert page.url == f"{live_server}/audit/reports"
    log_out(page)
    log_in(page, live_server, "madoguchi")
    watch.goto(f"{live_server}/residents/{registered.resident_id}")
    past_purpose(watch)
    assert page.locator(".impression-frame img").count() >= 1
    assert watch.violations == []
