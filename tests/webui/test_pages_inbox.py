"""受付箱 and 業務の開始: lanes per role, claim / unclaim, starting a flow."""

from __future__ import annotations

import re
from urllib.parse import unquote

from engine.runtime.queries import get_task, open_tasks_of_instance
from tests.support.flow import COUNTER, IDENTIFY


def last_inbox_page(client, lane: str, **params) -> str:
    """The inbox page holding the newest tasks (oldest first, so the last page)."""
    query = {"lane": lane, "page": 99999} | params
    response = client.get("/", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def at_identity(driver) -> tuple[str, int]:
    """A fresh case whose 2.1.3 step is done: the 窓口 identity task is open and the subject known."""
    resident_id = driver.fresh_resident()
    outcome = driver.start(resident_id)
    outcome = driver.step(outcome, COUNTER, {"resident_id": resident_id} | IDENTIFY)
    return resident_id, outcome.next_task_id


def resident_name(product, resident_id: str) -> str:
    with product.session_factory() as session:
        return product.juki(session).get_resident(resident_id).name


def test_madoguchi_sees_the_case_in_the_counter_tab_with_the_subject(login, driver, product):
    resident_id, task_id = at_identity(driver)
    html = last_inbox_page(login("madoguchi"), "窓口")
    assert re.search(r'class="tab on"[^>]*>\s*窓口 <span class="count">\d+', html)
    assert "バックヤード <span" not in html  # a counter clerk has one lane
    assert f'href="/tasks/{task_id}"' in html
    assert resident_name(product, resident_id) in html
    # one claim model: no 担当する in the inbox; the clerk who started the case already has its counter task
    assert "/claim" not in html and re.search(rf'data-task="{task_id}".*?class="claimed me">madoguchi 職員<', html, re.S)


def test_read_only_roles_see_both_tabs_without_claim_buttons(login, driver):
    _, task_id = at_identity(driver)
    for role in ("auditor", "admin"):
        html = last_inbox_page(login(role), "窓口")
        assert "バックヤード <span" in html and "窓口 <span" in html
        assert f'href="/tasks/{task_id}"' in html
        assert "/claim" not in html


def test_manager_sees_both_lanes_and_opens_tasks(login, driver):
    _, task_id = at_identity(driver)
    html = last_inbox_page(login("manager"), "窓口")
    assert "バックヤード <span" in html and f'href="/tasks/{task_id}"' in html and "/claim" not in html


def test_backyard_cannot_open_the_counter_inbox_or_complete_a_counter_task(login, driver, product):
    _, task_id = at_identity(driver)
    backyard = login("backyard")
    assert backyard.get("/", query_string={"lane": "窓口"}).status_code == 404
    response = backyard.post(f"/tasks/{task_id}", data={"applicant": "self", "identity_path": "photo_id",
                                                         "photo_id_kind": "passport"})
    assert response.status_code == 403
    assert "窓口" in response.get_data(as_text=True)
    with product.session_factory() as session:
        assert get_task(session, task_id).is_open


def test_claim_then_unclaim(login, driver, product):
    _, task_id = at_identity(driver)
    clerk = login("madoguchi")
    assert clerk.post(f"/tasks/{task_id}/unclaim").status_code == 302
    with product.session_factory() as session:
        assert get_task(session, task_id).claimed_by is None
    response = clerk.post(f"/tasks/{task_id}/claim", data={"next": "/?lane=窓口&mine=1"})
    assert response.status_code == 302 and unquote(response.headers["Location"]) == "/?lane=窓口&mine=1"
    with product.session_factory() as session:
        assert get_task(session, task_id).claimed_by == "madoguchi"
    mine = clerk.get("/", query_string={"lane": "窓口", "mine": "1", "page": 99999}).get_data(as_text=True)
    assert f'href="/tasks/{task_id}"' in mine
    page = clerk.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "担当を外す" in page and f'action="/tasks/{task_id}/unclaim"' in page

    manager = login("manager")
    other = manager.post(f"/tasks/{task_id}/claim")
    assert other.status_code == 409 and "担当中" in other.get_data(as_text=True)
    page = manager.get(f"/tasks/{task_id}").get_data(as_text=True)  # opening does not take it from madoguchi
    assert "madoguchi 職員 さんが担当中" in page and "担当を引き継ぐ" in page
    assert manager.post(f"/tasks/{task_id}/claim", data={"take_over": "1"}).status_code == 302
    with product.session_factory() as session:
        assert get_task(session, task_id).claimed_by == "manager"
    assert manager.post(f"/tasks/{task_id}/unclaim").status_code == 302
    with product.session_factory() as session:
        assert get_task(session, task_id).claimed_by is None


def test_opening_a_task_claims_it_and_complete_goes_on_or_says_where_the_case_went(login, driver, product):
    """Issue 15.3: opening an unclaimed task of one's lane claims it; 完了して次へ goes to the case's next task when
    it is the clerk's, else back to the inbox naming the lane and the step."""
    resident_id = driver.fresh_resident()
    started = driver.start(resident_id)
    driver.runner.unclaim(started.next_task_id, COUNTER)
    clerk = login("madoguchi")
    page = clerk.get(f"/tasks/{started.next_task_id}").get_data(as_text=True)
    assert "完了して次へ" in page and "担当を外す" in page
    with product.session_factory() as session:
        assert get_task(session, started.next_task_id).claimed_by == "madoguchi"
    auditor_view = login("auditor").get(f"/tasks/{started.next_task_id}")  # read-only roles never claim
    assert auditor_view.status_code == 200
    with product.session_factory() as session:
        assert get_task(session, started.next_task_id).claimed_by == "madoguchi"

    identify = {"resident_id": resident_id, "received_items": IDENTIFY["received_items"]}
    response = clerk.post(f"/tasks/{started.next_task_id}", data=identify)
    with product.session_factory() as session:
        identity = open_tasks_of_instance(session, started.instance_id)[0]
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/tasks/{identity.id}")
    assert identity.claimed_by == "madoguchi"  # kept: no claim on the next step of the same case and lane
    response = clerk.post(f"/tasks/{identity.id}", data={"applicant": "self", "identity_path": "photo_id",
                                                         "photo_id_kind": "driving_licence"},
                          follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "次は バックヤード の『印影読込 (4.1.5.1)』です" in html
    with product.session_factory() as session:
        scan = open_tasks_of_instance(session, started.instance_id)[0]
    assert scan.lane == "バックヤード" and scan.claimed_by is None


def test_the_inbox_filters_sorts_and_keeps_the_clerks_choice(login, driver, product):
    _, task_id = at_identity(driver)
    clerk = login("madoguchi")
    html = clerk.get("/", query_string={"lane": "窓口", "flow": "sokuji_touroku", "sort": "age",
                                        "order": "desc", "due": "none"}).get_data(as_text=True)
    assert f'data-task="{task_id}"' in html and "data-age" in html
    assert '<option value="sokuji_touroku" selected>' in html
    kept = clerk.get("/", query_string={"lane": "窓口"}).get_data(as_text=True)  # e.g. back from a task
    assert '<option value="sokuji_touroku" selected>' in kept and '<option value="age" selected>' in kept
    assert '<option value="none" selected>' in kept
    overdue = clerk.get("/", query_string={"lane": "窓口", "due": "overdue"}).get_data(as_text=True)
    assert f'data-task="{task_id}"' not in overdue and "条件に合う作業はありません" in overdue
    cleared = clerk.get("/", query_string={"lane": "窓口", "clear": "1"}).get_data(as_text=True)
    assert '<option value="sokuji_touroku" selected>' not in cleared
    assert clerk.get("/", query_string={"lane": "窓口", "sort": "nonsense"}).status_code == 400
    html = clerk.get("/", query_string={"lane": "窓口", "step": "task_identity", "page": 99999}).get_data(as_text=True)
    assert f'data-task="{task_id}"' in html


def test_start_page_lists_active_definitions_and_starts_with_a_resident(login, product):
    clerk = login("madoguchi")
    html = clerk.get("/start").get_data(as_text=True)
    assert "4.1.2 即時登録" in html and 'action="/start/sokuji_touroku"' in html
    assert not re.search(r"[0-9a-f]{12}", html) and "sokuji_touroku<" not in html  # no version hash, no process id
    response = clerk.post("/start/sokuji_touroku", data={"resident_id": "10000000017"})
    assert response.status_code == 302  # asks for confirmation first
    assert response.headers["Location"] == "/start/sokuji_touroku/confirm?resident_id=10000000017"
    response = clerk.post("/start/sokuji_touroku", data={"resident_id": "10000000017", "confirmed": "1"})
    assert response.status_code == 302
    task_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with product.session_factory() as session:
        task = get_task(session, task_id)
        assert task.spec_name == "task_identify" and task.lane == "窓口"
        assert open_tasks_of_instance(session, task.instance_id)[0].id == task_id
    page = clerk.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'value="10000000017"' in page  # the resident from 2.1.3 is prefilled


def test_start_is_refused_for_unknown_process(login):
    response = login("madoguchi").post("/start/no_such_process")
    assert response.status_code == 404
    assert "登録されていません" in response.get_data(as_text=True)
