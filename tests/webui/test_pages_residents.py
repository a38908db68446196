"""2.1.3 基本検索, the lookup JSON, 2.2.1 登録内容照会 and blob downloads."""

from __future__ import annotations

import re

from juki import DEMO_RESIDENTS

YAMADA_TARO = DEMO_RESIDENTS["eligible"]


def test_search_by_hiragana_kana_finds_yamada_taro(login):
    response = login("madoguchi").get("/residents", query_string={"kana": "やまだ たろう"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert YAMADA_TARO in html and "山田" in html and "ヤマダ" in html
    assert "昭和55年5月12日" in html  # 和暦
    assert f'href="/residents/{YAMADA_TARO}"' in html


def test_search_offers_start_only_to_clerks(login, driver):
    resident_id = driver.fresh_resident()
    clerk = login("madoguchi").get("/residents", query_string={"resident_id": resident_id}).get_data(as_text=True)
    assert "即時登録を開始" in clerk and f'name="resident_id" value="{resident_id}"' in clerk
    auditor = login("auditor").get("/residents", query_string={"resident_id": resident_id}).get_data(as_text=True)
    assert resident_id in auditor and "即時登録を開始" not in auditor


def test_invalid_search_is_a_message_not_an_error(login):
    client = login("madoguchi")
    response = client.get("/residents", query_string={"kana": "abc"})
    assert response.status_code == 200
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    bad_date = client.get("/residents", query_string={"birth_date": "1980-13-45"})
    assert bad_date.status_code == 200 and "生年月日" in bad_date.get_data(as_text=True)
    empty = client.get("/residents")
    assert empty.status_code == 200 and "flash-error" not in empty.get_data(as_text=True)


def test_search_shows_the_active_registration_number(login, driver):
    registered = driver.registered_person()
    html = login("manager").get("/residents", query_string={"resident_id": registered.resident_id}).get_data(
        as_text=True)
    assert registered.registration_number in html and "即時登録を開始" not in html


def test_lookup_json_by_kana_id_and_name(login):
    client = login("madoguchi")
    by_kana = client.get("/residents/lookup", query_string={"q": "やまだ たろう"}).get_json()
    assert YAMADA_TARO in [r["resident_id"] for r in by_kana["results"]]
    by_id = client.get("/residents/lookup", query_string={"q": YAMADA_TARO}).get_json()
    assert [r["resident_id"] for r in by_id["results"]] == [YAMADA_TARO]
    assert by_id["results"][0]["birth_wareki"] == "昭和55年5月12日"
    by_name = client.get("/residents/lookup", query_string={"q": "山田 太郎"}).get_json()
    assert YAMADA_TARO in [r["resident_id"] for r in by_name["results"]]
    nothing = client.get("/residents/lookup", query_string={"q": ""}).get_json()
    assert nothing["results"] == [] and nothing["message"]


def test_inquiry_page_shows_registration_history_and_pdf(login, driver):
    registered = driver.register()
    client = login("auditor")
    html = client.get(f"/residents/{registered.resident_id}").get_data(as_text=True)
    assert '<span class="fid">2.2.1</span>登録内容照会' in html
    assert registered.registration_number in html
    assert "異動履歴" in html and ">登録<" in html and "登録証交付" in html
    assert f"登録番号 {registered.registration_number}" in html  # change_summary of the first entry
    assert re.search(r'data-width-mm="[\d.]+" data-height-mm="[\d.]+"', html)
    assert f'href="/instances/{registered.instance_id}"' in html
    assert "4.1.2.2 印鑑登録原票確認票" in html
    link = re.search(r'href="(/documents/document/\d+\.pdf\?download=1)"', html)
    assert link, "a download link for the confirmation sheet"
    pdf = client.get(link.group(1))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert registered.registration_number in pdf.headers["Content-Disposition"]


def test_inquiry_page_of_unknown_resident_is_404(login):
    assert login("madoguchi").get("/residents/99999999999").status_code == 404


def test_unknown_blob_is_404(login):
    response = login("madoguchi").get("/residents/blobs/" + "0" * 64)
    assert response.status_code == 404
    assert "見つかりません" in response.get_data(as_text=True)
