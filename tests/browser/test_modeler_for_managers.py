"""The modeler as a manager expects it (issue 14 point 3): 4.1.2 — about 3,700 px wide — opens fitted to the
screen, with zoom in / out / fit buttons; test results name elements by their names; deploy first lists what
changes and asks, and only then deploys."""

from __future__ import annotations

import copy
import re
import uuid

import pytest

from tests.browser.test_modeler import run_tests, save_and_wait, select
from tests.browser.test_registration_in_browser import log_in
from tests.support.library import FORMS, copy_of_4_1_4, deploy_copy
from tests.webui.test_pages_library import NOT_FOUND_CASE

pytestmark = pytest.mark.browser

VIEW = """() => { const canvas = window.InkanEditor.modeler.get('canvas'); const v = canvas.viewbox();
  return {x: v.x, y: v.y, width: v.width, height: v.height, scale: v.scale, inner: v.inner}; }"""
RENAMED = ('name="2.1.3 基本検索（申請者の特定）"', 'name="申請者の特定"')


def draft_of(product, live_server, page, xml_change=None, cases=()) -> tuple[str, int]:
    """A copy of 4.1.2 deployed, opened as a draft by the manager (saved with `xml_change` and `cases`)."""
    process_id, xml, definition = deploy_copy(product, note="初版")
    log_in(page, live_server, "manager")
    response = page.request.post(f"{live_server}/library/versions/{definition.id}/draft",
                                 headers={"X-CSRFToken": csrf(page, live_server)}, max_redirects=0)
    draft_id = int(response.headers["location"].rstrip("/").rsplit("/", 1)[1])
    changed = xml.replace(*xml_change) if xml_change else xml
    saved = page.request.post(f"{live_server}/library/drafts/{draft_id}/save",
                              headers={"X-CSRFToken": csrf(page, live_server), "Accept": "application/json"},
                              data={"bpmn_xml": changed, "forms": FORMS, "cases": {"cases": list(cases)},
                                    "note": "名称の変更"})
    assert saved.ok, saved.text()
    page.goto(f"{live_server}/library/drafts/{draft_id}")
    page.wait_for_selector("#editor[data-ready=true]")
    return process_id, draft_id


def csrf(page, live_server) -> str:
    page.goto(f"{live_server}/library/")
    return page.evaluate("() => document.querySelector('input[name=csrf_token]').value")


def whole_diagram_shown(view: dict) -> bool:
    inner = view["inner"]
    return (view["x"] <= inner["x"] + 1 and view["y"] <= inner["y"] + 1
            and view["x"] + view["width"] >= inner["x"] + inner["width"] - 1
            and view["y"] + view["height"] >= inner["y"] + inner["height"] - 1)


def test_the_diagram_opens_fitted_and_zooms(new_page, live_server, product, tmp_path):
    page = new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    draft_of(product, live_server, page)
    opened = page.evaluate(VIEW)
    assert opened["inner"]["width"] > 3000  # 4.1.2 is wide …
    assert whole_diagram_shown(opened), opened  # … and shown whole on open
    page.screenshot(path=str(tmp_path / "modeler-fitted.png"))

    page.click(".zoom-controls [data-zoom=in]")
    zoomed_in = page.evaluate(VIEW)
    assert zoomed_in["scale"] > opened["scale"] and not whole_diagram_shown(zoomed_in)
    page.click(".zoom-controls [data-zoom=out]")
    page.click(".zoom-controls [data-zoom=out]")
    assert page.evaluate(VIEW)["scale"] < zoomed_in["scale"]
    page.click(".zoom-controls [data-zoom=actual]")
    assert page.evaluate(VIEW)["scale"] == pytest.approx(1)
    page.click(".zoom-controls [data-zoom=fit]")
    assert whole_diagram_shown(page.evaluate(VIEW))
    # canvas navigation: dragging the empty canvas moves the view
    box = page.locator("#canvas").bounding_box()
    page.click(".zoom-controls [data-zoom=actual]")
    before = page.evaluate(VIEW)
    start = (box["x"] + box["width"] - 60, box["y"] + 40)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] - 150, start[1] + 5, steps=6)
    page.mouse.up()
    dragged = page.evaluate(VIEW)
    assert dragged["x"] > before["x"]
    # … and once the canvas has focus (the click above), Ctrl + the arrow keys move it too
    page.keyboard.press("Control+ArrowRight")
    assert page.evaluate(VIEW)["x"] != dragged["x"]


def test_results_name_elements_and_deploy_asks_with_the_changes(new_page, live_server, product, tmp_path):
    wrong = copy.deepcopy(NOT_FOUND_CASE)
    wrong["expect"]["end_event"] = "end_registered"
    page = new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    process_id, _ = draft_of(product, live_server, page, RENAMED, [wrong])

    summary = run_tests(page)
    assert summary.startswith("テスト 0/1 件合格"), summary
    pane = page.locator("#tests").inner_text()
    assert "終了イベントが「却下の説明を受ける」（期待「印鑑登録証を受け取る」）" in pane
    assert "どのケースも通らないフロー" in pane and "「" in page.locator("[data-uncovered]").inner_text()
    assert not re.search(r"\b(flow|task|end|gw|svc)_[a-z_]+", pane), pane  # no element ids
    page.screenshot(path=str(tmp_path / "modeler-tests.png"))

    # deploy: the changes first, then a yes / no; no deploys while the manager has not said yes
    page.click(".editor-toolbar [data-action=deploy]")
    changes = page.locator("[data-deploy-confirm] [data-change-list]")
    row = changes.locator("tr[data-element=task_identify]")
    assert "変更" in row.inner_text() and "申請者の特定" in row.inner_text()
    assert "名前: 「2.1.3 基本検索（申請者の特定）」→「申請者の特定」" in row.inner_text()
    assert "task_identify" not in page.locator("[data-deploy-confirm]").inner_text()
    page.screenshot(path=str(tmp_path / "modeler-deploy-confirm.png"))
    page.click("[data-action=cancel-deploy]")
    assert page.locator("[data-deploy-panel]").is_hidden()
    page.click(".editor-toolbar [data-action=deploy]")
    page.click("[data-action=confirm-changes]")
    refused = page.locator("[data-deploy-error=tests_failed]")
    refused.wait_for(timeout=180_000)
    assert refused.inner_text() == f"テストが通っていないため反映できません: 「{wrong['name']}」"


def test_a_parameter_out_of_range_is_refused_at_save_with_the_element_outlined(new_page, live_server, product,
                                                                                 tmp_path):
    process_id = f"lib_{uuid.uuid4().hex[:8]}"
    _, _, definition = deploy_copy(product, copy_of_4_1_4(process_id), process_id)
    page = new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, live_server, "manager")
    page.goto(f"{live_server}/library/processes/{process_id}")
    with page.expect_navigation():
        page.click(f"tr[data-version='{definition.id}'] button:has-text('この版を編集')")
    page.wait_for_selector("#editor[data-ready=true]")
    select(page, "svc_issue")
    field = page.locator("#props input[name=param_deadline_days]")
    assert "1〜365の整数" in page.locator("#props label:has(input[name=param_deadline_days])").inner_text()
    field.fill("0")
    field.press("Tab")
    assert "問題が" in save_and_wait(page)
    problem = page.locator("#problems li[data-element=svc_issue]")
    assert "deadline_days（照会書発行日から回答期限までの日数）は1〜365の整数で指定してください（0 が指定されています）" \
        in problem.inner_text()
    assert page.locator(".djs-element.has-problem[data-element-id=svc_issue]").count() == 1
    problem.click()  # to the element, at a readable size
    assert page.evaluate(VIEW)["scale"] == pytest.approx(1)
    page.screenshot(path=str(tmp_path / "modeler-parameter-refused.png"))
    select(page, "svc_issue")
    page.click("[data-tab=props]")
    page.locator("#props input[name=param_deadline_days]").fill("14")
    page.locator("#props input[name=param_deadline_days]").press("Tab")
    assert "問題はありません" in save_and_wait(page)
