"""住基シミュレータ (/admin/juki) and J-LIS シミュレータ (/admin/jlis): admins record changes, each change is written
to the simulated register with its event and handed to the registry's intake in the same transaction; bad input
is refused in Japanese with nothing written; other roles are turned away."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from handlers.linkage.intake import ReceivedEvent
from juki.models import SimChange, SimResident
from tests.support.residents import fresh_foreign_resident, fresh_japanese_resident

ROLES_TURNED_AWAY = ["madoguchi", "backyard", "manager", "auditor"]


def received_for(product, resident_id: str) -> list[ReceivedEvent]:
    with product.session_factory() as session:
        return list(session.scalars(select(ReceivedEvent).where(ReceivedEvent.resident_id == resident_id)
                                    .order_by(ReceivedEvent.id)))


def change_count(product) -> int:
    with product.session_factory() as session:
        return session.scalars(select(func.count()).select_from(SimChange)).one()


def resident(product, resident_id: str) -> SimResident:
    with product.session_factory() as session:
        return session.get(SimResident, resident_id)


def post_change(client, product, **form):
    return client.post("/admin/juki/changes",
                       data={"effective_date": product.services.today().isoformat()} | form)


@pytest.mark.parametrize("role", ROLES_TURNED_AWAY)
def test_only_admins_reach_the_simulators(login, role):
    client = login(role)
    for url in ("/admin/juki", "/admin/jlis"):
        assert client.get(url).status_code == 403
    assert client.post("/admin/juki/changes", data={"kind": "death"}).status_code == 403
    assert client.post("/admin/jlis", data={"serial": "ABCDEF12", "status": "revoked"}).status_code == 403


def test_anonymous_is_sent_to_login(client):
    assert client.get("/admin/juki").status_code == 302


def test_search_and_select_a_resident(login, driver):
    resident_id = driver.fresh_resident()
    admin = login("admin")
    found = admin.get("/admin/juki", query_string={"q": resident_id}).get_data(as_text=True)
    assert resident_id in found and "選択" in found
    page = admin.get("/admin/juki", query_string={"resident_id": resident_id}).get_data(as_text=True)
    assert "異動の記録" in page and "転出を記録" in page and "死亡を記録" in page


def test_recording_a_death_updates_the_register_and_reaches_the_intake(login, product, driver):
    resident_id = driver.fresh_resident()
    admin = login("admin")
    response = post_change(admin, product, kind="death", resident_id=resident_id)
    assert response.status_code == 302 and resident_id in response.headers["Location"]
    assert (resident(product, resident_id).status, resident(product, resident_id).status_date) == (
        "deceased", product.services.today())
    [received] = received_for(product, resident_id)
    assert (received.kind, received.source, received.effective_date) == ("death", "simulator",
                                                                          product.services.today())
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "死亡を記録し" in page and received.event_id in page


def test_cancellation_restores_and_is_announced(login, product, driver):
    resident_id = driver.fresh_resident()
    admin = login("admin")
    post_change(admin, product, kind="move_out", resident_id=resident_id)
    [moved_out] = received_for(product, resident_id)
    response = post_change(admin, product, kind="cancellation", cancels_event_id=moved_out.event_id)
    assert response.status_code == 302
    assert resident(product, resident_id).status == "resident"
    cancellation = received_for(product, resident_id)[-1]
    assert (cancellation.kind, cancellation.cancels_event_id) == ("cancellation", moved_out.event_id)
    again = post_change(admin, product, kind="cancellation", cancels_event_id=moved_out.event_id)
    assert again.status_code == 422 and "既に取り消されています" in again.get_data(as_text=True)


def test_move_in_creates_a_resident(login, product):
    response = post_change(login("admin"), product, kind="special_move_in", name="転入　花子",
                           kana="テンニュウ　ハナコ", birth_date="1990-04-01", sex="女",
                           address="見本市港町二丁目3番4号")
    assert response.status_code == 302
    resident_id = response.headers["Location"].rsplit("resident_id=", 1)[1]
    arrived = resident(product, resident_id)
    assert (arrived.name, arrived.address, arrived.relationship) == ("転入　花子", "見本市港町二丁目3番4号", "世帯主")
    assert [r.kind for r in received_for(product, resident_id)] == ["special_move_in"]


@pytest.mark.parametrize(("form", "message"), [
    ({"kind": "", "resident_id": "X"}, "異動の種類を選んでください"),
    ({"kind": "death", "resident_id": "", "effective_date": "2026-13-01"}, "異動日は 2026-04-01 の形式"),
    ({"kind": "death", "resident_id": "", "effective_date": ""}, "異動日を入力してください"),
    ({"kind": "death", "resident_id": "00000000000"}, "住民記録が見つかりません"),
    ({"kind": "death", "resident_id": ""}, "対象の住民を選んでください"),
    ({"kind": "death", "resident_id": "FRESH", "effective_date": "2999-01-01"}, "未来の日付"),
    ({"kind": "name_change", "resident_id": "FRESH", "name": "", "kana": "ア"}, "氏名を入力してください"),
    ({"kind": "common_name_set", "resident_id": "FRESH", "common_name": "通称"}, "外国人住民"),
    ({"kind": "move_in", "name": "転入　一", "kana": "テンニュウ", "birth_date": "", "sex": "男"}, "生年月日を入力"),
    ({"kind": "cancellation", "cancels_event_id": "sim-unknown"}, "取り消す異動が見つかりません"),
])
def test_bad_input_is_refused_in_japanese_and_nothing_is_written(login, product, driver, form, message):
    if form.get("resident_id") == "FRESH":
        form = form | {"resident_id": driver.fresh_resident()}
    before = change_count(product)
    response = post_change(login("admin"), product, **form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert change_count(product) == before


def test_jlis_page_revokes_and_checks_a_certificate(login, product):
    admin = login("admin")
    response = admin.post("/admin/jlis", data={"serial": "ab12-cd34-ef56-7890", "status": "revoked",
                                               "note": "紛失届"})
    assert response.status_code == 302 and "AB12CD34EF567890" in response.headers["Location"]
    page = admin.get("/admin/jlis", query_string={"serial": "AB12CD34EF567890"}).get_data(as_text=True)
    assert "失効しています" in page and "紛失届" in page
    assert product.services.jlis.certificate_status("AB12CD34EF567890").status == "revoked"
    admin.post("/admin/jlis", data={"serial": "AB12CD34EF567890", "status": "expired"})
    assert product.services.jlis.certificate_status("AB12CD34EF567890").status == "expired"


@pytest.mark.parametrize(("form", "message"), [
    ({"serial": "ab", "status": "revoked"}, "英数字8〜60文字"),
    ({"serial": "ABCDEF123456", "status": "lost"}, "有効・失効・有効期限切れ"),
])
def test_jlis_page_refuses_bad_input(login, form, message):
    response = login("admin").post("/admin/jlis", data=form)
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_unknown_serials_follow_the_fixed_rule(product):
    jlis = product.services.jlis
    assert [jlis.certificate_status(s).status for s in ("1A2B3C4D5E6F", "ABCDEF12DEAD", "ABCD0000", "X")] == [
        "valid", "revoked", "expired", "unknown"]


def test_particulars_corrections_are_recorded_and_reach_the_intake(login, product, driver):
    """記載事項の修正 (生年月日・性別) and 振り仮名の変更 can be recorded at /admin/juki (issue 16.8)."""
    resident_id = fresh_japanese_resident(product, driver)
    admin = login("admin")
    page = admin.get("/admin/juki", query_string={"resident_id": resident_id}).get_data(as_text=True)
    assert "記載事項の修正を記録" in page and "振り仮名の変更を記録" in page
    assert "カタカナ表記の変更を記録" not in page  # only a foreign resident's 住民票 carries one
    other_sex = "女" if resident(product, resident_id).sex == "男" else "男"
    assert post_change(admin, product, kind="record_corrected", resident_id=resident_id,
                       birth_date="1970-07-08", sex=other_sex).status_code == 302
    assert post_change(admin, product, kind="kana_changed", resident_id=resident_id,
                       kana="あたらしい　よみ").status_code == 302
    person = resident(product, resident_id)
    assert (person.birth_date.isoformat(), person.sex, person.kana) == ("1970-07-08", other_sex, "アタラシイ　ヨミ")
    corrected, renamed = received_for(product, resident_id)
    assert (corrected.kind, renamed.kind) == ("record_corrected", "kana_changed")
    assert corrected.event().changes["birth_date"]["after"] == "1970-07-08"


def test_a_foreign_residents_katakana_name_is_recorded(login, product):
    admin = login("admin")
    foreign = fresh_foreign_resident(product)
    assert "カタカナ表記の変更を記録" in admin.get("/admin/juki", query_string={"resident_id": foreign}).get_data(
        as_text=True)
    response = post_change(admin, product, kind="katakana_name_changed", resident_id=foreign,
                           katakana_name="ワン　シャオロン")
    assert response.status_code == 302 and resident(product, foreign).katakana_name == "ワン　シャオロン"
    assert received_for(product, foreign)[-1].kind == "katakana_name_changed"
    refused = post_change(admin, product, kind="katakana_name_changed", resident_id=foreign, katakana_name="wang")
    assert refused.status_code == 422 and "カタカナ表記は全角カタカナ" in refused.get_data(as_text=True)
