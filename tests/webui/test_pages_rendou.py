"""住民記録連動 page: a バックヤード clerk sees the events that need checking and marks them checked."""

from __future__ import annotations

from tests.handlers.linkage.test_intake import make_event
from tests.support.resident_events import deliver, process, received


def unknown_person_incident(product):
    event = make_event(resident_id="X00000042", kind="move_out", changes={})
    deliver(product, event)
    process(product)
    return received(product, event)


def test_backyard_sees_the_incident_in_the_menu_and_on_the_page(product, login):
    row = unknown_person_incident(product)
    browser = login("backyard")
    inbox = browser.get("/").get_data(as_text=True)
    assert "住民記録連動" in inbox and 'title="要確認の異動通知"' in inbox
    page = browser.get("/rendou/").get_data(as_text=True)
    assert "要確認の異動通知" in page and "X00000042" in page and "住民記録に該当者がいない" in page
    response = browser.post(f"/rendou/{row.id}/resolve")
    assert response.status_code == 302
    assert received(product, make_event(event_id=row.event_id)).resolved_by == "backyard"
    assert f"/rendou/{row.id}/resolve" not in browser.get("/rendou/").get_data(as_text=True)


def test_auditor_reads_but_cannot_resolve_and_the_counter_does_not_see_it(product, login):
    row = unknown_person_incident(product)
    auditor = login("auditor")
    assert "X00000042" in auditor.get("/rendou/").get_data(as_text=True)
    assert auditor.post(f"/rendou/{row.id}/resolve").status_code == 403
    assert received(product, make_event(event_id=row.event_id)).resolved_at is None
    assert login("madoguchi").get("/rendou/").status_code == 403


def test_resolving_twice_or_an_unknown_row_is_404(product, login):
    row = unknown_person_incident(product)
    browser = login("manager")
    assert browser.post(f"/rendou/{row.id}/resolve").status_code == 302
    assert browser.post(f"/rendou/{row.id}/resolve").status_code == 404
    assert browser.post("/rendou/987654/resolve").status_code == 404
