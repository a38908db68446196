"""事案一覧 and the instance page: markers, timeline, incidents with retry; /vendor is limited to bpmn-js/dist."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.runtime.queries import instance_detail
from tests.support.flow import BACK

NO_SUCH_BLOB = "0" * 64


def markers_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="diagram-markers">(.*?)</script>', html, re.S)
    assert match, "the page carries the diagram markers"
    return json.loads(match.group(1))


def test_instance_page_shows_markers_tasks_and_timeline(login, driver):
    registered = driver.register()
    html = login("auditor").get(f"/instances/{registered.instance_id}").get_data(as_text=True)
    markers = markers_of(html)
    assert {"task_identify", "svc_register", "task_handover", "end_registered"} <= set(markers["done"])
    assert markers["active"] == [] and markers["failed"] == []
    assert "bpmn-navigated-viewer.production.min.js" in html and "/vendor/bpmn-js/dist/assets/bpmn-js.css" in html
    assert f'data-xml-url="/instances/{registered.instance_id}/diagram.bpmn"' in html
    assert "完了" in html and "印鑑登録証を受け取る" in html  # status and end event name
    for kind in ("開始", "完了", "サービス呼出"):
        assert f">{kind}</span>" in html
    assert "4.1.2.1" in html and "inkan.registry.register" not in html  # the step's name, not the operator id
    assert "官公署発行の写真付き本人確認書類" in html  # a choice shown by its Japanese title
    assert re.search(r'href="/residents/blobs/[0-9a-f]{64}\?download=1"', html)


def test_running_instance_has_an_active_marker(login, driver):
    outcome = driver.start(driver.fresh_resident())
    html = login("madoguchi").get(f"/instances/{outcome.instance_id}").get_data(as_text=True)
    assert markers_of(html)["active"] == ["task_identify"]
    assert "実行中" in html


def test_diagram_xml_is_the_instance_definition(login, driver, product):
    outcome = driver.start(driver.fresh_resident())
    response = login("madoguchi").get(f"/instances/{outcome.instance_id}/diagram.bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    with product.session_factory() as session:
        detail = instance_detail(session, product.specs, outcome.instance_id)
        assert response.get_data(as_text=True) == detail.definition.bpmn_xml


def test_instance_list_filters_by_status(login, driver):
    outcome = driver.start(driver.fresh_resident())
    client = login("manager")
    running = client.get("/instances", query_string={"status": "running", "page": 1}).get_data(as_text=True)
    assert f'href="/instances/{outcome.instance_id}"' in running and "実行中" in running
    done = client.get("/instances", query_string={"status": "completed"}).get_data(as_text=True)
    assert f'href="/instances/{outcome.instance_id}"' not in done
    bogus = client.get("/instances", query_string={"status": "bogus"})
    assert bogus.status_code == 400 and "状態の指定 bogus は使えない" in bogus.get_data(as_text=True)


def test_incident_is_shown_and_retried_by_admin_only(login, driver, product):
    resident_id = driver.fresh_resident()
    outcome = driver.to_scan(resident_id)
    failed = product.runner.complete(driver.open_task(outcome.instance_id), BACK, {"scan_blob_id": NO_SUCH_BLOB})
    assert failed.incident_id and failed.status == "error"
    admin = login("admin")
    html = admin.get(f"/instances/{failed.instance_id}").get_data(as_text=True)
    assert "エラー" in html and "未解決" in html and "inkan.impression.measure" in html
    assert markers_of(html)["failed"] == ["svc_measure"]
    assert f'action="/instances/incidents/{failed.incident_id}/retry"' in html
    clerk_view = login("madoguchi").get(f"/instances/{failed.instance_id}").get_data(as_text=True)
    assert "未解決" in clerk_view and "/retry" not in clerk_view
    assert login("madoguchi").post(f"/instances/incidents/{failed.incident_id}/retry").status_code == 403

    response = admin.post(f"/instances/incidents/{failed.incident_id}/retry")
    assert response.status_code == 302 and response.headers["Location"] == f"/instances/{failed.instance_id}"
    after = admin.get(f"/instances/{failed.instance_id}").get_data(as_text=True)
    assert "再実行済み" in after and ">再実行</span>" in after  # the incident and the timeline entry


@pytest.mark.parametrize("path", [
    "/vendor/bpmn-js/dist/../package.json",
    "/vendor/bpmn-js/dist/%2e%2e/package.json",
    "/vendor/bpmn-js/package.json",
    "/vendor/diagram-js/package.json",
    "/vendor/bpmn-js/dist/../../../webui/config.py",
    "/vendor/..%2fpackage.json",
])
def test_vendor_path_traversal_is_404(login, path):
    assert login("madoguchi").get(path).status_code == 404


def test_vendor_serves_the_bpmn_js_distribution(login, app):
    viewer = Path(app.config["STATIC_VENDOR_DIR"]) / "bpmn-js/dist/bpmn-navigated-viewer.production.min.js"
    if not viewer.exists():
        pytest.skip("node_modules not installed (npm ci)")
    response = login("auditor").get("/vendor/bpmn-js/dist/bpmn-navigated-viewer.production.min.js")
    assert response.status_code == 200 and b"BpmnJS" in response.data
    css = login("auditor").get("/vendor/bpmn-js/dist/assets/bpmn-js.css")
    assert css.status_code == 200 and css.mimetype == "text/css"


def test_a_clerk_cancels_an_instance_started_by_mistake_with_a_reason(login, driver, product):
    from engine.models import AuditEvent, ProcessInstance
    from tests.support.flow import COUNTER

    resident_id = driver.fresh_resident()
    started = driver.runner.start("sokuji_touroku", COUNTER, {"resident_id": resident_id})
    counter = login("madoguchi")
    page = counter.get(f"/instances/{started.instance_id}").get_data(as_text=True)
    assert "誤って開始した事案の取消" in page
    assert "誤って開始した事案の取消" not in login("auditor").get(f"/instances/{started.instance_id}").get_data(
        as_text=True)

    refused = counter.post(f"/instances/{started.instance_id}/cancel", data={"reason": "  "})
    assert refused.status_code == 422 and "取消の理由を入力してください" in refused.get_data(as_text=True)
    assert login("auditor").post(f"/instances/{started.instance_id}/cancel", data={"reason": "x"}).status_code == 403

    done = counter.post(f"/instances/{started.instance_id}/cancel", data={"reason": "別の住民で開始した"})
    assert done.status_code == 302
    with product.session_factory() as session:
        assert session.get(ProcessInstance, started.instance_id).status == "terminated"
        event = session.query(AuditEvent).filter_by(instance_id=started.instance_id, kind="cancel").one()
        assert event.actor == "madoguchi" and "別の住民で開始した" in event.summary_json
    again = counter.post(f"/instances/{started.instance_id}/cancel", data={"reason": "二度目"})
    assert again.status_code == 409
    page = counter.get(f"/instances/{started.instance_id}").get_data(as_text=True)
    assert "誤って開始した事案の取消" not in page and "取消（誤って開始）" in page and "理由: 別の住民で開始した" in page


def test_lists_show_how_cases_ended_not_a_bare_completed(login, driver, product):
    """Issue 15.2: the instance search, the instance page and the resident page show 登録完了 / 却下（理由） /
    取消し（理由）; the search filters by outcome."""
    from juki import DEMO_RESIDENTS
    from tests.support.flow import COUNTER, IDENTIFY

    registered = driver.register()
    child = DEMO_RESIDENTS["child_under_15"]
    refused = driver.start(child)
    refused = driver.step(refused, COUNTER, {"resident_id": child} | IDENTIFY)
    refused = driver.step(refused, COUNTER, {"explained": True})
    assert refused.status == "completed"
    cancelled = driver.start(driver.fresh_resident())
    product.runner.cancel(cancelled.instance_id, COUNTER, "別の方の事案として開始した")
    auditor = login("auditor")
    html = auditor.get(f"/instances/{refused.instance_id}").get_data(as_text=True)
    assert re.search(r'data-outcome="refused">却下（[^）<]+）</span>', html)
    html = auditor.get(f"/instances/{registered.instance_id}").get_data(as_text=True)
    assert 'data-outcome="registered">登録完了</span>' in html
    html = auditor.get("/instances?outcome=refused").get_data(as_text=True)
    assert f'href="/instances/{refused.instance_id}"' in html
    assert f'href="/instances/{registered.instance_id}"' not in html
    html = auditor.get(f"/instances?resident_id={child}").get_data(as_text=True)
    assert 'data-outcome="refused">却下（' in html
    html = auditor.get(f"/instances/{cancelled.instance_id}").get_data(as_text=True)
    assert 'data-outcome="cancelled">取消し（別の方の事案として開始した）</span>' in html
    html = login("madoguchi").get(f"/residents/{registered.resident_id}").get_data(as_text=True)
    assert 'data-outcome="registered">登録完了</span>' in html
