"""Accessibility basics (issue 15 point 11): axe-core (npm, package-lock.json) over the main pages finds no serious
or critical violation; a skip link comes first in the tab order and takes the keyboard past the menu; the focused
field shows a focus ring. axe is injected by the test (an init script), never served by the product."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_inquiry_in_browser import past_purpose
from tests.browser.test_registration_in_browser import log_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


@pytest.fixture(scope="module")
def case(product):
    """A registered person (resident page, instance, documents) and a case waiting at the counter (a task)."""
    from tests.support.flow import RegistrationDriver

    driver = RegistrationDriver(product)
    registered = driver.register()
    waiting = driver.start(driver.fresh_resident())
    return {"resident_id": registered.resident_id, "instance_id": registered.instance_id,
            "task_id": waiting.next_task_id or driver.open_task(waiting.instance_id)}


def axe_page(new_page):
    assert AXE.is_file(), "axe-core is missing: run `npm ci` (scripts/setup.sh does)"
    page = new_page()
    page.add_init_script(path=str(AXE))
    return page


def violations(page, url: str) -> list[str]:
    page.goto(url)
    past_purpose(page)
    page.wait_for_load_state("networkidle")
    found = page.evaluate(RUN_AXE)
    return [f"{url}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for v in found if v["impact"] in BLOCKING]


def test_the_main_pages_have_no_serious_or_critical_axe_violations(new_page, live_server, case):
    problems = []
    anonymous = axe_page(new_page)
    for path in ("/login", "/verify", "/verify?p=garbage"):
        problems += violations(anonymous, live_server + path)
    pages = {
        "madoguchi": ["/", "/start", f"/tasks/{case['task_id']}", "/residents", "/residents?kana=%E3%82%BF",
                      f"/residents/{case['resident_id']}", "/instances", f"/instances/{case['instance_id']}",
                      "/inquiry", "/print"],
        "manager": ["/library/", "/audit/reports"],
        "auditor": ["/audit", "/audit/access", "/audit/chains"],
    }
    for role, paths in pages.items():
        page = axe_page(new_page)
        log_in(page, live_server, role)
        for path in paths:
            problems += violations(page, live_server + path)
    assert not problems, "\n".join(problems)


def test_the_skip_link_comes_first_and_reaches_the_first_field(new_page, live_server):
    page = new_page()
    log_in(page, live_server, "madoguchi")
    page.goto(f"{live_server}/residents")
    page.keyboard.press("Tab")
    first = page.evaluate("() => [document.activeElement.className, document.activeElement.textContent.trim()]")
    assert first == ["skip-link", "本文へ移動"]
    assert page.locator(".skip-link").is_visible()  # shown when focused, hidden otherwise
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => ({inMain: !!document.activeElement.closest('main'),
                                       tag: document.activeElement.tagName,
                                       outline: getComputedStyle(document.activeElement).outlineStyle})""")
    assert focused["inMain"] and focused["tag"] in ("INPUT", "SELECT", "TEXTAREA"), focused
    assert focused["outline"] != "none", focused  # the focus is visible


def test_names_stay_on_one_line_at_1024_pixels(new_page, live_server, tmp_path):
    page = new_page()
    page.set_viewport_size({"width": 1024, "height": 900})
    log_in(page, live_server, "madoguchi")
    page.goto(f"{live_server}/residents?kana=%E3%82%BF")
    page.screenshot(path=str(tmp_path / "search-1024.png"), full_page=True)
    lines = page.evaluate("""() => [...document.querySelectorAll('table.grid tbody tr')].map(row =>
        [...row.querySelectorAll('td')].slice(1, 3).map(cell => {
            const range = document.createRange(); range.selectNodeContents(cell.querySelector('a') || cell);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; }))""")
    assert len(lines) == 50 and all(name == 1 and kana == 1 for name, kana in lines), lines
