"""Every shipped `.bpmn` in bpmn/ opens in bpmn-js without import warnings and without overlapping flow nodes
(issue 6: "every .bpmn passes the XSD and opens in bpmn-js without warnings")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_inquiry_in_browser import past_purpose
from tests.browser.test_registration_in_browser import log_in
from tests.support.flow import RegistrationDriver

pytestmark = pytest.mark.browser
BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
SHIPPED = sorted(BPMN_DIR.glob("*.bpmn"))

# Import into a fresh viewer; report bpmn-js's warnings and any two flow nodes (tasks, events, gateways) whose
# boxes intersect: overlapping shapes make a diagram unreadable for the clerk and the auditor.
IMPORT_AND_CHECK = """async (xml) => {
    const box = document.createElement('div'); box.style.width = '2400px'; box.style.height = '1200px';
    document.body.appendChild(box);
    const viewer = new window.BpmnJS({container: box});
    const result = await viewer.importXML(xml);
    const nodes = viewer.get('elementRegistry').filter(e => e.type && !e.labelTarget && !e.waypoints
        && !/Process|Participant|Lane|Collaboration|TextAnnotation|Group|Data/.test(e.type) && e.width);
    const overlaps = [];
    for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) {
        const a = nodes[i], b = nodes[j];
        if (a.host === b || b.host === a) continue;  // a boundary event sits on its task's edge by design
        if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height)
            overlaps.push(a.id + ' × ' + b.id);
    }
    viewer.destroy(); box.remove();
    return {warnings: result.warnings.map(w => w.message), overlaps: overlaps}; }"""


@pytest.fixture(scope="module")
def viewer_page(browser, live_server, product):
    registered = RegistrationDriver(product).register()
    context = browser.new_context(locale="ja-JP", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    log_in(page, live_server, "auditor")
    page.goto(f"{live_server}/instances/{registered.instance_id}")  # the page that loads the bpmn-js viewer
    past_purpose(page)
    page.wait_for_selector("#diagram[data-ready=true]")
    yield page
    context.close()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_shipped_diagram_imports_cleanly(viewer_page, path):
    checked = viewer_page.evaluate(IMPORT_AND_CHECK, path.read_text(encoding="utf-8"))
    assert checked == {"warnings": [], "overlaps": []}
