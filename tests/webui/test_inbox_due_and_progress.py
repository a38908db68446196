"""Issue 15.3: the inbox shows a task's due date (the 4.1.4 answer deadline, from the timer on the task) and the
case's age, in the page and the API; every task page shows the case's progress strip (done, here, ahead)."""

from __future__ import annotations

import re

import pytest

from engine.models import HumanTask, Timer
from engine.runtime.queries import open_tasks_of_instance
from tests.support.flow import COUNTER, IDENTIFY
from tests.support.inquiry_flow import InquiryDriver
from tests.webui.api_contract import Api


@pytest.fixture
def api(client, api_token):
    return lambda role: Api(client, api_token(role))


@pytest.fixture
def inquiry(product, clock) -> InquiryDriver:
    return InquiryDriver(product, clock)


def test_the_answer_task_is_due_at_the_inquiry_deadline(inquiry, product, login, api):
    pending = inquiry.to_answer()
    with product.session_factory() as session:
        task = open_tasks_of_instance(session, pending.instance_id)[0]
        timer = session.query(Timer).filter_by(instance_id=pending.instance_id, fired_at=None).one()
        assert task.spec_name == "task_answer" and task.due_at == timer.due_at
    html = login("madoguchi").get("/", query_string={"lane": "窓口", "due": "any", "sort": "due"}).get_data(
        as_text=True)
    row = re.search(rf'data-task="{task.id}".*?</tr>', html, re.S)
    assert row and re.search(r"data-due><span class=\"badge badge-\w+\">\d{4}", row.group(0))
    rows = api("madoguchi").get("/inbox", query={"lane": "窓口", "due": "any", "per_page": 200})["rows"]
    mine = next(r for r in rows if r["task_id"] == task.id)
    assert mine["due_at"] and mine["case_started_at"] and mine["step"] == "task_answer"
    assert mine["process_id"] == "shoukai_touroku"
    none_due = api("madoguchi").get("/inbox", query={"lane": "窓口", "due": "none", "per_page": 200})["rows"]
    assert task.id not in {r["task_id"] for r in none_due}


def test_every_task_page_shows_where_the_case_stands(driver, login, product):
    resident_id = driver.fresh_resident()
    outcome = driver.start(resident_id)
    outcome = driver.step(outcome, COUNTER, {"resident_id": resident_id} | IDENTIFY)
    html = login("madoguchi").get(f"/tasks/{outcome.next_task_id}").get_data(as_text=True)
    strip = re.search(r'<nav class="progress-strip".*?</nav>', html, re.S).group(0)
    states = dict(re.findall(r'data-step="(\w+)" data-state="(\w+)"', strip))
    assert states["task_identify"] == "done" and states["svc_inquiry"] == "done"
    assert states["task_identity"] == "here" and 'aria-current="step"' in strip
    assert states["task_scan"] == "ahead" and states["task_handover"] == "ahead"
    order = list(states)
    assert order.index("task_identify") < order.index("task_identity") < order.index("task_scan")
    assert "印影読込" in strip and "step-auto" in strip  # service tasks are marked automatic
    with product.session_factory() as session:
        assert session.get(HumanTask, outcome.next_task_id).claimed_by == "madoguchi"
