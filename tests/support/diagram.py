"""The instance page's bpmn-js diagram in a Playwright page: whole-diagram screenshots and import warnings."""

from __future__ import annotations

FIT_WHOLE_DIAGRAM = """(width) => { const d = document.getElementById('diagram');
    Object.assign(d.style, {position: 'fixed', left: '0', top: '0', width: width + 'px', height: '900px',
                            zIndex: 1000, background: '#fff'});
    window.dispatchEvent(new Event('resize')); document.querySelector('[data-diagram-fit]').click(); }"""
IMPORT_WARNINGS = """async () => {
    const xml = await (await fetch(document.getElementById('diagram').dataset.xmlUrl)).text();
    const box = document.createElement('div'); document.body.appendChild(box);
    const result = await new window.BpmnJS({container: box}).importXML(xml);
    return result.warnings.map(w => w.message); }"""


def screenshot_whole_diagram(page, path: str, width: int) -> None:
    """Fit the instance page's diagram into `width` pixels and keep it as a PNG."""
    page.set_viewport_size({"width": width + 20, "height": 1000})
    page.evaluate(FIT_WHOLE_DIAGRAM, width)
    page.wait_for_timeout(500)
    page.locator("#diagram").screenshot(path=path)


def import_warnings(page) -> list[str]:
    """What bpmn-js reports when it imports the instance page's definition afresh."""
    return page.evaluate(IMPORT_WARNINGS)
