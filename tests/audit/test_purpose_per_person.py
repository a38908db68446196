"""Issue 15 point 5: the 閲覧の目的 question comes once per person and case in a session. The same person in the same
case is not asked again; another person, or the same person in another case, is; every access-log row carries the
purpose chosen for its person and case; signing out forgets the answers."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import session
from sqlalchemy import select

from conftest import TEST_PASSWORD
from engine.evidence.access_log import AccessEntry
from tests.support.flow import COUNTER
from tests.support.purpose import FORM
from webui.audit.purposes import MAX_REMEMBERED, purpose_for, remember


def rows_of(product, resident_id: str) -> list[tuple[str, str | None, str, str | None]]:
    """(what, target, purpose, note) of the person's access-log rows, oldest first."""
    with product.session_factory() as session:
        return [(e.what, e.target, e.purpose, e.purpose_note) for e in session.scalars(
            select(AccessEntry).where(AccessEntry.resident_id == resident_id).order_by(AccessEntry.id))]


def asked(response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == FORM


def answer(client, response, purpose: str, note: str | None = None):
    """Open the form the page sent the clerk to, answer it and return the page it sends the clerk on to."""
    form = client.get(response.headers["Location"])
    assert form.status_code == 200
    target = parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]
    done = client.post(FORM, data={"purpose": purpose, "next": target, **({"note": note} if note else {})})
    assert done.status_code == 302 and done.headers["Location"] == target
    return form.get_data(as_text=True)


def test_asked_once_per_person_and_case_and_each_row_has_its_own_purpose(login, driver, product):
    first, other = driver.register(), driver.register()
    second_case = product.runner.start("haishi", COUNTER, {"resident_id": first.resident_id}).instance_id
    clerk = login("madoguchi", purpose=None)

    page = clerk.get(f"/instances/{first.instance_id}")
    assert asked(page)
    answer(clerk, page, "counter_application")
    assert clerk.get(f"/instances/{first.instance_id}").status_code == 200
    assert clerk.get(f"/instances/{first.instance_id}").status_code == 200  # same person, same case: not asked

    page = clerk.get(f"/instances/{second_case}")
    assert asked(page), "the same person in another case is asked again"
    answer(clerk, page, "other", "電話照会 受付12")
    assert clerk.get(f"/instances/{second_case}").status_code == 200

    page = clerk.get(f"/residents/{other.resident_id}")
    assert asked(page), "another person is asked"
    answer(clerk, page, "resident_inquiry")
    assert clerk.get(f"/residents/{other.resident_id}").status_code == 200

    shown = [row for row in rows_of(product, first.resident_id) if row[0] == "事案の詳細"]
    assert shown == [("事案の詳細", f"instance:{first.instance_id}", "counter_application", None)] * 2 + [
        ("事案の詳細", f"instance:{second_case}", "other", "電話照会 受付12")]
    assert [row for row in rows_of(product, other.resident_id) if row[0] == "2.2.1 登録内容照会"] == [
        ("2.2.1 登録内容照会", None, "resident_inquiry", None)]


def test_the_form_names_the_person_and_the_case_and_preselects_the_last_purpose(login, driver, product):
    first, other = driver.register(), driver.register()
    with product.session_factory() as session:
        first_name = product.juki(session).get_resident(first.resident_id).name
        other_name = product.juki(session).get_resident(other.resident_id).name
    clerk = login("madoguchi", purpose=None)

    page = clerk.get(f"/instances/{first.instance_id}")
    form = answer(clerk, page, "certificate")
    assert first_name in form and f"（事案 {first.instance_id}）" in form
    assert first.resident_id not in form.replace(f"/instances/{first.instance_id}", "")  # names, not ids
    assert 'value="certificate" checked' not in form  # nothing chosen yet in this session

    form = clerk.get(clerk.get(f"/residents/{other.resident_id}").headers["Location"]).get_data(as_text=True)
    assert other_name in form and "事案に属さない閲覧" in form
    assert 'value="certificate" checked' in form, "the purpose chosen last is preselected"
    assert ("閲覧の目的の確認（氏名の表示）", None, "unstated", None) in rows_of(product, other.resident_id)


def test_a_task_page_does_not_ask_and_logs_the_purpose_of_its_case(login, driver, product):
    resident_id = driver.fresh_resident()
    waiting = driver.to_scan(resident_id)
    task_id = driver.open_task(waiting.instance_id)
    clerk = login("backyard", purpose=None)
    assert clerk.get(f"/tasks/{task_id}").status_code == 200  # a task page never stops the clerk
    answer(clerk, clerk.get(f"/instances/{waiting.instance_id}"), "office_investigation")
    assert clerk.get(f"/tasks/{task_id}").status_code == 200
    assert [row[2] for row in rows_of(product, resident_id) if row[0] == "作業画面"] == [
        "unstated", "office_investigation"]


def test_signing_out_and_in_again_asks_again(login, driver):
    registered = driver.register()
    clerk = login("madoguchi", purpose=None)
    answer(clerk, clerk.get(f"/residents/{registered.resident_id}"), "audit")
    assert clerk.get(f"/residents/{registered.resident_id}").status_code == 200
    clerk.post("/logout")
    clerk.post("/login", data={"username": "madoguchi", "password": TEST_PASSWORD})
    assert asked(clerk.get(f"/residents/{registered.resident_id}"))


def test_the_form_names_only_what_a_page_asked_about(login, driver):
    registered = driver.register()
    clerk = login("madoguchi", purpose=None)
    stray = clerk.get(FORM, query_string={"next": f"/residents/{registered.resident_id}"})
    assert stray.status_code == 302 and stray.headers["Location"] == f"/residents/{registered.resident_id}"
    unasked = clerk.post(FORM, data={"purpose": "audit", "next": f"/residents/{registered.resident_id}"})
    assert unasked.headers["Location"] == f"/residents/{registered.resident_id}"
    assert asked(clerk.get(f"/residents/{registered.resident_id}")), "an answer nobody asked for chooses nothing"


def test_the_session_keeps_a_bounded_number_of_answers_the_oldest_dropped(app):
    with app.test_request_context():
        for case in range(MAX_REMEMBERED + 5):
            remember("R-1", case, "other", "内容" * 100)  # long notes: the cookie must still fit
        assert purpose_for("R-1", 0) is None, "the oldest answer is dropped (that case is asked again)"
        assert purpose_for("R-1", MAX_REMEMBERED + 4) == ("other", "内容" * 100)
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
        assert len(cookie) < 3000


def test_pages_showing_several_people_at_once_ask_once_for_them_all(login):
    admin = login("admin", purpose=None)
    page = admin.get("/admin/purge")
    assert asked(page)
    assert "複数の住民" in answer(admin, page, "audit")
    assert admin.get("/admin/purge").status_code == 200
    assert admin.get("/admin/exchange").status_code == 200  # the same question: not asked again
    assert admin.get("/jidou/locked").status_code == 200


def test_the_4_1_4_case_page_asks_once_and_logs_the_answer(login, product):
    from tests.support.inquiry_flow import InquiryDriver

    pending = InquiryDriver(product).to_answer()
    clerk = login("backyard", purpose=None)
    page = clerk.get(f"/inquiry/{pending.application_id}")
    assert asked(page), "the 照会 case shows the person's name and address: ask why first"
    assert not [row for row in rows_of(product, pending.resident_id) if row[0] == "4.1.4 照会の事案"]
    answer(clerk, page, "counter_application")
    assert clerk.get(f"/inquiry/{pending.application_id}").status_code == 200
    assert clerk.get(f"/inquiry/{pending.application_id}").status_code == 200  # same case: not asked again
    assert [row for row in rows_of(product, pending.resident_id) if row[0] == "4.1.4 照会の事案"] == [
        ("4.1.4 照会の事案", f"application:{pending.application_id}", "counter_application", None)] * 2
