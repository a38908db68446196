"""Issue 18 point 8: a 「申請していない」 answer (4.1.4) shows on the person's 2.2.1 page and in the auditors'
reports, and refused certificate requests (counter and コンビニ) appear in the reports' 却下理由 table."""

from __future__ import annotations

import pytest

from printing import to_wareki
from tests.support.certificates_flow import CounterDriver
from tests.support.flow import BACK
from tests.support.inquiry_flow import InquiryDriver
from tests.support.konbini import ask, new_serial
from webui.audit.dashboard import build_dashboard

ALERT = {"confirmed": True, "action": "contacted_resident", "action_note": "本人へ電話で確認した"}


@pytest.fixture
def inquiry(product, clock) -> InquiryDriver:
    return InquiryDriver(product, clock)


def _not_applied(inquiry: InquiryDriver):
    pending = inquiry.to_answer()
    outcome = inquiry.answer(pending, answer="not_applied", bearer=None, bearer_identity_checked=None)
    assert inquiry.open_spec_names(outcome.instance_id) == ["task_fraud_alert"]
    return pending, outcome


def test_the_persons_page_warns_with_the_date_and_the_case(inquiry, login, product, driver):
    pending, _ = _not_applied(inquiry)
    html = login("madoguchi", purpose="counter_application").get(f"/residents/{pending.resident_id}").get_data(
        as_text=True)
    assert f'data-fraud-suspicion="{pending.instance_id}"' in html and "不正申請の疑い" in html
    assert pending.inquiry_number in html and f'href="/instances/{pending.instance_id}"' in html
    assert to_wareki(product.services.today()) in html and "「申請していない」" in html
    someone_else = driver.register().resident_id
    assert "data-fraud-suspicion" not in login("madoguchi").get(f"/residents/{someone_else}").get_data(as_text=True)


def test_the_reports_list_the_suspicion_until_and_after_the_back_office_acted(inquiry, product, login):
    pending, outcome = _not_applied(inquiry)
    today = product.services.today()
    row = (today.isoformat(), pending.inquiry_number, pending.instance_id)
    assert row + ("未対応",) in _table(product, "fraud_suspicions")
    inquiry.step(outcome, BACK, ALERT)
    assert row + ("対応を記録済み",) in _table(product, "fraud_suspicions")
    page = login("auditor").get("/audit/reports", query_string={"from": today.isoformat(), "to": today.isoformat()})
    html = page.get_data(as_text=True)
    assert "不正申請の疑い" in html and pending.inquiry_number in html
    assert f'href="/instances/{pending.instance_id}"' in html
    csv = login("auditor").get("/audit/reports.csv", query_string={"table": "fraud_suspicions", "from": row[0],
                                                                    "to": row[0]}).get_data(as_text=True)
    assert csv.startswith("\ufeff日,照会番号,事案,バックヤードの確認") and pending.inquiry_number in csv


@pytest.mark.usefixtures("office_seal", "open_all_day")
def test_certificate_refusals_are_in_the_refusal_table(product, driver, client):
    counter_row = ("6.1 証明書（窓口）", "登録証の番号に該当なし", "card_not_found")
    konbini_row = ("6.1 証明書（コンビニ）", "個人番号カードの利用登録なし", "card_not_linked")
    before = _counts(product)
    person = driver.register()
    counter = CounterDriver(product)
    counter.close_refusal(counter.request(person.resident_id, "ZZ-9999"))
    assert ask(client, new_serial()).get_json()["error"] == "card_not_linked"  # a card nobody linked
    after = _counts(product)
    assert after.get(counter_row, 0) == before.get(counter_row, 0) + 1
    assert after.get(konbini_row, 0) == before.get(konbini_row, 0) + 1


def _table(product, name: str) -> list[tuple]:
    today = product.services.today()
    with product.session_factory() as session:
        return build_dashboard(session, today, today).tables[name]


def _counts(product) -> dict[tuple, int]:
    return {tuple(row[:3]): row[3] for row in _table(product, "refusals")}


def test_an_answer_not_through_the_letter_shows_in_the_reports_and_on_the_persons_page(inquiry, product, login):
    """Issue 18.2: the sequential number alone, typed before the letter was even printed, is refused and shown."""
    pending = inquiry.to_answer(mailed=False)
    outcome = inquiry.answer(pending, inquiry_number=pending.inquiry_number)
    assert inquiry.data(outcome.instance_id)["answer_refusal"]["reason"] == "letter_not_printed"
    rows = [row for row in _table(product, "suspicious_answers") if row[2] == pending.instance_id]
    assert [(row[1], row[3]) for row in rows] == [(pending.inquiry_number, "照会書がまだ郵送されていません"
                                                                           "（照会書兼回答書が印刷されていません）")]
    assert rows[0][4] == "madoguchi"
    today = product.services.today().isoformat()
    html = login("auditor").get("/audit/reports", query_string={"from": today, "to": today}).get_data(as_text=True)
    assert f'data-suspicious-answer="{pending.instance_id}"' in html and "照会書を経ない回答" in html
    csv = login("auditor").get("/audit/reports.csv", query_string={"table": "suspicious_answers", "from": today,
                                                                    "to": today}).get_data(as_text=True)
    assert csv.startswith("\ufeff日時,照会番号（入力）,事案,不受理の理由,窓口担当") and pending.inquiry_number in csv
    person = login("madoguchi", purpose="counter_application").get(f"/residents/{pending.resident_id}")
    page = person.get_data(as_text=True)
    assert f'data-fraud-suspicion="{pending.instance_id}"' in page and "不正のおそれ" in page
    assert "照会書がまだ郵送されていません" in page
