"""住基 changes that must reach the 原票 (4.3.2): 記載事項の修正 (生年月日・性別), 振り仮名の変更 and
カタカナ表記の変更 recorded in the simulated register each write the record with a history entry holding the before
and after values; a カタカナ表記 change first waits for the バックヤード's impression check."""

from __future__ import annotations

import json
from datetime import date

import pytest

from engine.actor import Actor
from engine.runtime.queries import instance_detail, open_tasks_of_instance
from juki.changes import ChangeContext
from juki.corrections import change_kana, change_katakana_name, correct_particulars
from juki.errors import InvalidChange
from juki.models import SimResident
from registry.seals import records
from registry.seals.models import HistoryEntry
from tests.support.resident_events import (
    documents,
    instance_of,
    received,
    record,
    record_and_process,
    registration,
)
from tests.support.residents import fresh_foreign_resident, fresh_japanese_resident

BACK = Actor("backyard", "backyard")


def last_entry(product, number: str) -> HistoryEntry:
    with product.session_factory() as session:
        return records.history_of(session, registration(product, number).id)[-1]


def test_birth_date_and_sex_correction_writes_the_record_with_before_and_after(product, driver):
    registered = driver.register()
    before = registration(product, registered.registration_number)
    other_sex = "女" if before.sex == "男" else "男"
    events = record_and_process(product, "correct_particulars", registered.resident_id,
                                birth_date=date(1971, 3, 4), sex=other_sex)
    assert instance_of(product, events[0]).end_event == "end_corrected"
    after = registration(product, registered.registration_number)
    assert (after.birth_date, after.sex) == (date(1971, 3, 4), other_sex)
    entry = last_entry(product, registered.registration_number)
    assert entry.reason == "修正（記載事項の修正）"
    assert json.loads(entry.before_json) == {"birth_date": before.birth_date.isoformat(), "sex": before.sex}
    assert json.loads(entry.after_json) == {"birth_date": "1971-03-04", "sex": other_sex,
                                            "juki_event_id": events[0].event_id}
    assert documents(product, registered.registration_number)[0].kind == "4.1.2.2 印鑑登録原票確認票"


def test_kana_change_writes_the_record(product, driver):
    registered = driver.register()
    old_kana = registration(product, registered.registration_number).kana
    events = record_and_process(product, "change_kana", registered.resident_id, kana="ふりがな　かわる")
    instance = instance_of(product, events[0])
    assert (instance.process_id, instance.end_event) == ("juki_rendou_shusei", "end_corrected")
    assert registration(product, registered.registration_number).kana == "フリガナ　カワル"
    entry = last_entry(product, registered.registration_number)
    assert entry.reason == "修正（振り仮名の変更）"
    assert json.loads(entry.before_json) == {"kana": old_kana}
    assert json.loads(entry.after_json)["kana"] == "フリガナ　カワル"


@pytest.mark.parametrize(("decision", "status"), [("keep", "registered"), ("mismatch", "deleted")])
def test_katakana_name_change_waits_for_the_impression_check(product, driver, login, decision, status):
    registered = driver.register(fresh_foreign_resident(product))
    old = registration(product, registered.registration_number).katakana_name
    events = record_and_process(product, "change_katakana_name", registered.resident_id,
                                katakana_name="アタラシイ　ヒョウキ")
    instance = instance_of(product, events[0])
    with product.session_factory() as session:
        [task] = open_tasks_of_instance(session, instance.id)
        check = instance_detail(session, product.specs, instance.id).data["name_check"]
    assert (task.spec_name, task.lane) == ("task_name_decision", "バックヤード")
    assert (check["label"], check["old_katakana_name"], check["new_katakana_name"]) == (
        "カタカナ表記の変更", old, "アタラシイ　ヒョウキ")
    assert registration(product, registered.registration_number).katakana_name == old  # nothing before the decision
    page = login("backyard").get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "変更後のカタカナ表記" in page and "アタラシイ　ヒョウキ" in page and old in page
    product.runner.complete(task.id, BACK, {"impression_decision": decision, "decision_note": "印影の表記を確認"})
    record_ = registration(product, registered.registration_number)
    assert record_.status == status
    if decision == "keep":
        assert record_.katakana_name == "アタラシイ　ヒョウキ"
        assert last_entry(product, registered.registration_number).reason == "修正（カタカナ表記の変更）"
    else:
        assert (record_.katakana_name, record_.close_reason) == (old, "カタカナ表記の変更（印影が氏名を表さない）")


def test_cancelled_correction_puts_the_old_birth_date_back(product, driver):
    registered = driver.register()
    original = registration(product, registered.registration_number).birth_date
    corrected = record_and_process(product, "correct_particulars", registered.resident_id,
                                   birth_date=date(1969, 9, 9))
    cancelled = record_and_process(product, "cancel", registered.resident_id, event_id=corrected[0].event_id)
    assert instance_of(product, cancelled[0]).end_event == "end_undone"
    assert registration(product, registered.registration_number).birth_date == original
    assert last_entry(product, registered.registration_number).reason == "修正（異動の取消し）"


def test_correction_of_a_person_without_registration_is_not_relevant(product, driver):
    events = record_and_process(product, "change_kana", driver.fresh_resident(), kana="ダレモ　トウロクナシ")
    assert received(product, events[0]).outcome == "not_relevant"


@pytest.mark.parametrize(("action", "args", "message"), [
    (correct_particulars, {}, "修正する生年月日か性別"),
    (correct_particulars, {"sex": "不明"}, "性別は「男」か「女」"),
    (correct_particulars, {"birth_date": date(2999, 1, 1)}, "未来の日付"),
    (change_kana, {"kana": "山田"}, "振り仮名は全角カタカナ"),
    (change_katakana_name, {"katakana_name": "ヤマダ"}, "外国人住民の住民票にのみ"),
])
def test_the_simulator_refuses_bad_corrections(product, driver, action, args, message):
    resident_id = fresh_japanese_resident(product, driver)
    today = product.services.today()
    with product.session_factory() as session, pytest.raises(InvalidChange, match=message):
        action(session, resident_id, ChangeContext(today, "test", today, product.services.clock()), **args)


def test_the_same_value_is_refused_as_no_change(product, driver):
    resident_id = driver.fresh_resident()
    with product.session_factory() as session:
        sex = session.get(SimResident, resident_id).sex
    with pytest.raises(InvalidChange, match="同じ内容"):
        record(product, "correct_particulars", resident_id, sex=sex)
