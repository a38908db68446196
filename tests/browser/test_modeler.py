"""Issue 7's acceptance on 4.1.4 照会による登録: a manager opens the flow, changes the answer deadline (the
`deadline_days` parameter of 4.1.4.2 照会書発行) and adds a user task in バックヤード with a new form field, sees the task
left outside any lane refused with the element highlighted, fixes it, runs the tests (one fails until its case is
recorded again through the new task), deploys; a new instance follows the new version and gets the new deadline,
one started before stays on the old one with the old deadline until it is migrated (dry run, then for real).

The flow and its data are in SCENARIO.
"""

from __future__ import annotations

import re

import pytest

from engine.actor import Actor
from engine.library import catalog, drafts
from engine.models import ProcessInstance
from tests.browser.test_inquiry_in_browser import past_purpose
from tests.browser.test_registration_in_browser import log_in
from tests.support.inquiry_flow import InquiryDriver, Pending

pytestmark = pytest.mark.browser

SCENARIO = {
    "process_id": "shoukai_touroku",
    "parameter": ("svc_issue", "deadline_days", "30", "14"),  # element, parameter, shipped value, new value
    "flow": "flow_deadline",  # after the answer deadline, before the application lapses …
    "source": "timer_deadline", "target": "svc_lapse_deadline", "flow_name": "期限切れ", "condition": None,
    "lane": "lane_backyard",
    "failing_case": "deadline_passed",  # … which only this case takes
    "task_name": "期限切れの確認（係長）", "function_id": "4.1.4",
    "field": ("supervisor_checked", "係長が回答期限の経過を確認した"),
    "recorded_steps": [  # the forms of the re-recorded case, in order: (form field selector, value or None)
        [("input[name=applicant][value=self]", None), ("input[name=inquiry_reason][value=no_identity_document]", None),
         ("input[name=received_items][value=application]", None), ("input[name=received_items][value=seal]", None)],
        [],  # the scan: the recorder's generated impression
        [("input[name=impression_decision][value=accept]", None), ("input[name=impression_name][value=full_name]", None)],
        {"days": 31},  # the clock moves past the deadline
        [("input[name=supervisor_checked]", None)],
    ],
    "note": "回答期限を14日とし、期限切れを係長が確認する",
}
FREE_SPOT = """([laneId, nearId]) => {
  const registry = window.InkanEditor.modeler.get('elementRegistry');
  const lane = registry.get(laneId), near = registry.get(nearId);
  const shapes = registry.filter(e => !e.waypoints && !e.labelTarget && !['bpmn:Lane', 'bpmn:Participant'].includes(e.type)
                                      && e.type !== 'label' && e.parent);
  const points = registry.filter(e => e.waypoints).flatMap(f => f.waypoints.slice(1).flatMap((b, i) => {
    const a = f.waypoints[i], n = Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / 10) || 1;
    return Array.from({length: n + 1}, (_, k) => ({x: a.x + (b.x - a.x) * k / n, y: a.y + (b.y - a.y) * k / n}));
  }));
  const free = (x, y) => shapes.every(s => x + 80 < s.x || x - 80 > s.x + s.width || y + 60 < s.y || y - 60 > s.y + s.height)
    && points.every(p => Math.abs(p.x - x) > 75 || Math.abs(p.y - y) > 55);
  for (let dx = 0; dx < 2000; dx += 20) for (const sign of [1, -1])
    for (let y = lane.y + 60; y <= lane.y + lane.height - 60; y += 15) {
      const x = near.x + near.width / 2 + sign * dx;
      if (x > lane.x + 120 && free(x, y)) return {x, y};
    }
  return null;
}"""
SHOW = """(boxes) => {
  const canvas = window.InkanEditor.modeler.get('canvas'), box = document.querySelector('#canvas');
  const x0 = Math.min(...boxes.map(b => b.x)) - 150, y0 = Math.min(...boxes.map(b => b.y)) - 100;
  const x1 = Math.max(...boxes.map(b => b.x + (b.width || 0))) + 150;
  const y1 = Math.max(...boxes.map(b => b.y + (b.height || 0))) + 100;
  const scale = Math.min(1, box.clientWidth / (x1 - x0), box.clientHeight / (y1 - y0));
  const width = box.clientWidth / scale, height = box.clientHeight / scale;
  canvas.viewbox({x: (x0 + x1) / 2 - width / 2, y: (y0 + y1) / 2 - height / 2, width, height});
}"""
BOX = """(id) => { const e = window.InkanEditor.modeler.get('elementRegistry').get(id);
  if (!e.waypoints) return {x: e.x, y: e.y, width: e.width, height: e.height};
  const xs = e.waypoints.map(p => p.x), ys = e.waypoints.map(p => p.y);
  return {x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys)}; }"""
TO_CLIENT = """(p) => { const vb = window.InkanEditor.modeler.get('canvas').viewbox();
  const box = document.querySelector('#canvas').getBoundingClientRect();
  return {x: box.left + (p.x - vb.x) * vb.scale, y: box.top + (p.y - vb.y) * vb.scale}; }"""
CENTER = """(id) => { const e = window.InkanEditor.modeler.get('elementRegistry').get(id);
  if (!e.waypoints) return {x: e.x + e.width / 2, y: e.y + e.height / 2};
  const a = e.waypoints[0], b = e.waypoints[1]; return {x: a.x + (b.x - a.x) / 4, y: a.y + (b.y - a.y) / 4}; }"""


@pytest.fixture
def restore_active(product):
    """Put the shipped version back as active afterwards: other tests run the shipped flow."""
    with product.session_factory() as session:
        shipped = catalog.active_definition(session, SCENARIO["process_id"])
    yield shipped
    with product.session_factory.begin() as session:
        drafts.activate_version(session, catalog.get_definition(session, shipped.id), Actor("test", "manager"))


def waiting_for_answer(product) -> Pending:
    """A 4.1.4 application on the active version, its letter sent: the answer deadline is set, the timer waits."""
    return InquiryDriver(product).to_answer()


def deadline_shown(page, live_server, pending: Pending) -> str:
    """The 回答期限 row of the case page, as a clerk or manager sees it."""
    page.goto(f"{live_server}/inquiry/{pending.application_id}")
    past_purpose(page)
    return page.locator("dt:has-text('回答期限') + dd").inner_text()


def change_parameter(page) -> None:
    """The properties panel of the service task: the parameter is a field, no XML typed."""
    element_id, name, shipped, value = SCENARIO["parameter"]
    select(page, element_id)
    field = page.locator(f"#props input[name=param_{name}]")
    assert field.input_value() == shipped
    field.fill(value)
    field.press("Tab")
    select(page, SCENARIO["source"])  # away and back: the value was written into the diagram, not only the field
    select(page, element_id)
    assert page.locator(f"#props input[name=param_{name}]").input_value() == value
    page.evaluate("() => window.InkanEditor.modeler.get('selection').select(null)")  # its context pad closes


def definition_of(product, instance_id: int) -> int:
    with product.session_factory() as session:
        return session.get(ProcessInstance, instance_id).definition_id


def client_point(page, element_id: str) -> dict:
    return page.evaluate(TO_CLIENT, page.evaluate(CENTER, element_id))


def drop_at(page, point: dict) -> None:
    page.mouse.move(point["x"] - 10, point["y"] - 5)
    page.mouse.move(point["x"], point["y"], steps=4)
    page.mouse.down()
    page.mouse.up()


def select(page, element_id: str) -> None:
    """Select as a click would (a click on a shape can land on a connection drawn over it)."""
    page.evaluate("(id) => window.InkanEditor.select(id)", element_id)


def add_user_task_between(page) -> str:
    """Palette → a task in a free spot of the lane → user task; the old flow replaced by two through it."""
    spot = page.evaluate(FREE_SPOT, [SCENARIO["lane"], SCENARIO["source"]])
    boxes = [page.evaluate(BOX, i) for i in (SCENARIO["source"], SCENARIO["target"])]
    page.evaluate(SHOW, [*boxes, {"x": spot["x"] - 50, "y": spot["y"] - 40, "width": 100, "height": 80}])
    page.click(".djs-palette .entry[data-action='create.task']")
    drop_at(page, page.evaluate(TO_CLIENT, spot))
    page.keyboard.press("Escape")  # leave the label editor bpmn-js opens on a new shape
    page.click(".djs-context-pad .entry[data-action='replace']")
    page.click(".djs-popup [data-id='replace-with-user-task']")
    task_id = page.evaluate("() => window.InkanEditor.modeler.get('selection').get()[0].id")
    select(page, SCENARIO["flow"])
    page.click(".djs-context-pad .entry[data-action='delete']")
    for source, target in ((SCENARIO["source"], task_id), (task_id, SCENARIO["target"])):
        select(page, source)
        page.click(".djs-context-pad .entry[data-action='connect']")
        drop_at(page, client_point(page, target))
        if source == SCENARIO["source"]:  # the first half keeps the old flow's label and condition
            page.fill("#props input[name=name]", SCENARIO["flow_name"])
            page.press("#props input[name=name]", "Tab")
            if SCENARIO["condition"]:
                page.fill("#props input[name=condition]", SCENARIO["condition"])
                page.press("#props input[name=condition]", "Tab")
    select(page, task_id)
    return task_id


def save_and_wait(page) -> str:
    page.click("[data-action=save]")
    page.wait_for_function("() => /保存しました|保存できません/.test(document.querySelector('[data-status]').textContent)")
    return page.locator("[data-status]").inner_text()


def run_tests(page) -> str:
    page.click(".editor-toolbar [data-action=test]")
    page.wait_for_selector("[data-test-summary]", timeout=180_000)
    return page.locator("[data-test-summary]").inner_text()


def record_again(page) -> None:
    """Record the failing case again, going through the new task."""
    page.locator(f"[data-case='{SCENARIO['failing_case']}'] [data-action=rerecord]").click()
    for fields in SCENARIO["recorded_steps"]:
        page.wait_for_selector("[data-recorder] [data-action=advance-time]", timeout=120_000)
        steps_before = page.locator("[data-recorder] ol li").count()
        if isinstance(fields, dict):
            page.fill("[data-recorder] input[name=advance_days]", str(fields["days"]))
            page.click("[data-recorder] [data-action=advance-time]")
        else:
            page.wait_for_selector(".recorder-form [data-action=record-step]", timeout=120_000)
            for selector, value in fields:
                if value is None:
                    page.check(f".recorder-form {selector}")
                else:
                    page.fill(f".recorder-form {selector}", value)
            page.click(".recorder-form [data-action=record-step]")
        page.wait_for_function(f"() => document.querySelectorAll('[data-recorder] ol li').length > {steps_before}",
                               timeout=120_000)
    page.wait_for_selector("[data-action=add-case]", timeout=120_000)
    page.click("[data-action=add-case]")
    page.wait_for_function("() => /保存しました/.test(document.querySelector('[data-status]').textContent)")


def test_a_manager_changes_tests_deploys_and_migrates(new_page, live_server, product, restore_active, docs_shot):
    shipped = restore_active
    old_days, new_days = (f"（{days}日）" for days in SCENARIO["parameter"][2:])
    before = waiting_for_answer(product)
    page = new_page()
    page.set_viewport_size({"width": 1600, "height": 1000})
    log_in(page, live_server, "manager")
    assert old_days in deadline_shown(page, live_server, before)
    page.goto(live_server)
    page.click("nav.mainnav a:has-text('業務フロー定義')")
    page.click(f"tr[data-process='{SCENARIO['process_id']}'] a")
    with page.expect_navigation():
        page.click(f"tr[data-version='{shipped.id}'] button:has-text('この版を編集')")
    page.wait_for_selector("#editor[data-ready=true]")

    # the answer deadline: a parameter of 4.1.4.2 照会書発行 in the properties panel
    change_parameter(page)

    # a new user task in the flow, with a new form holding a new field
    task_id = add_user_task_between(page)
    page.fill("#props input[name=name]", SCENARIO["task_name"])
    page.press("#props input[name=name]", "Tab")
    page.fill("#props input[name=function_id]", SCENARIO["function_id"])
    page.press("#props input[name=function_id]", "Tab")
    page.click("#props [data-action=new-form]")
    field_name, field_title = SCENARIO["field"]
    page.fill("#forms input[name=field_name]", field_name)
    page.fill("#forms input[name=field_title]", field_title)
    page.select_option("#forms select[name=field_type]", "boolean")
    page.check("#forms input[name=field_required]")
    page.click("#forms [data-action=add-field]")
    page.wait_for_selector(f"[data-form-preview] input[name={field_name}]")
    assert field_title in page.locator("[data-form-preview]").inner_text()

    # left outside any lane: refused on save, listed and highlighted
    page.click("[data-tab=props]")
    page.select_option("#props select[name=lane]", "")
    assert "問題が" in save_and_wait(page)
    problem = page.locator(f"#problems li[data-element='{task_id}']")
    assert "レーンに属していません" in problem.inner_text()
    assert page.locator(f".djs-element.has-problem[data-element-id='{task_id}']").count() == 1
    page.screenshot(path=docs_shot("ui/modeler.png"))

    # fixed: into バックヤード
    problem.click()
    page.click("[data-tab=props]")
    page.select_option("#props select[name=lane]", label="バックヤード")
    assert "問題はありません" in save_and_wait(page)
    assert page.locator(".djs-element.has-problem").count() == 0

    # tests: the case through the changed path fails until it is recorded again
    assert re.search(r"テスト \d+/\d+ 件合格", run_tests(page))
    failing = page.locator("[data-case]:has(.badge-danger)")
    assert failing.count() == 1, [failing.nth(i).get_attribute("data-case") for i in range(failing.count())]
    assert page.locator(f"[data-case='{SCENARIO['failing_case']}'] .badge-danger").count() == 1
    record_again(page)
    summary = run_tests(page)
    assert page.locator("[data-case] .badge-danger").count() == 0, summary
    assert page.locator(".djs-connection.uncovered").count() == 0, summary

    # deploy: new instances follow the new version, the one started before stays
    page.fill("[data-note]", SCENARIO["note"])
    page.click(".editor-toolbar [data-action=deploy]")
    changes = page.locator("[data-deploy-confirm] [data-change-list]")  # what changes, asked before deploying
    assert "パラメータ deadline_days: 「30」→「14」" in changes.locator("tr[data-element=svc_issue]").inner_text()
    assert changes.locator(f"tr[data-element='{task_id}'][data-change=added]").count() == 1
    page.click("[data-action=confirm-changes]")
    confirm = page.locator("[data-action=confirm-deploy]")
    page.wait_for_url(re.compile(r"/library/processes/"), timeout=180_000) if not confirm.is_visible() else None
    if "/library/processes/" not in page.url:
        page.check("[data-deploy-panel] input[name=confirm_uncovered]")
        with page.expect_navigation(timeout=180_000):
            confirm.click()
    assert "反映しました" in page.locator(".flashes").inner_text()
    library_url = page.url
    with product.session_factory() as session:
        active = catalog.active_definition(session, SCENARIO["process_id"])
    assert active.id != shipped.id and active.note == SCENARIO["note"]
    after = waiting_for_answer(product)
    assert definition_of(product, after.instance_id) == active.id
    assert definition_of(product, before.instance_id) == shipped.id
    assert new_days in deadline_shown(page, live_server, after)
    assert old_days in deadline_shown(page, live_server, before)

    # migration: dry run lists the waiting instance as movable, then it moves, keeping its data (its deadline)
    page.goto(library_url)
    page.click(f"tr[data-version='{shipped.id}'] a:has-text('事案の移行')")
    row = page.locator(f"#migration-plan tr[data-instance='{before.instance_id}']")
    assert "移行できます" in row.inner_text()
    assert definition_of(product, before.instance_id) == shipped.id
    page.on("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#migrate-now")
    assert "移行しました" in page.locator(".flashes").inner_text()
    assert definition_of(product, before.instance_id) == active.id
    assert old_days in deadline_shown(page, live_server, before)
    assert InquiryDriver(product).open_spec_names(before.instance_id) == ["task_answer"]
