"""4.4.1 task pages: the phone report does not show the answers the caller must give; a refusal shows its reason;
the flow is offered on 業務の開始."""

from __future__ import annotations

from tests.support.flow import COUNTER


def _phone_task(driver, product):
    person = driver.registered_person()
    outcome = product.runner.start("haishi", COUNTER, {"resident_id": person.resident_id})
    outcome = driver.step(outcome, COUNTER, {"request_kind": "lost_phone", "lost_item": "card",
                                             "resident_id": person.resident_id})
    return person, outcome


def test_the_phone_report_page_hides_the_birth_date_and_address_the_caller_must_answer(login, driver, product):
    person, outcome = _phone_task(driver, product)
    with product.session_factory() as session:
        resident = product.juki(session).get_resident(person.resident_id)
    page = login("madoguchi").get(f"/tasks/{outcome.next_task_id}").get_data(as_text=True)
    assert "電話による亡失の届出" in page and person.registration_number in page
    assert resident.birth_date.isoformat() not in page and resident.address not in page


def test_a_refusal_page_shows_the_reason_and_that_nothing_changed(login, driver, product):
    person, outcome = _phone_task(driver, product)
    outcome = driver.step(outcome, COUNTER, {"caller": "other", "caller_name": "不明", "callback_phone": "0312345678",
                                             "stated_birth_date": "1901-01-01", "address_answered": False})
    page = login("madoguchi").get(f"/tasks/{outcome.next_task_id}").get_data(as_text=True)
    assert "4.4.1 不受理の理由" in page and "生年月日・住所を正しく答えられませんでした" in page
    assert "印鑑登録は変更していません" in page


def test_the_start_page_offers_the_flow(login):
    page = login("madoguchi").get("/start").get_data(as_text=True)
    assert "4.4.1 廃止の申請・亡失" in page and "/start/haishi" in page
