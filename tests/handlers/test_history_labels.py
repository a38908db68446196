"""Issue 18 points 1 and 6: history summaries render every value shape and show Japanese labels for every key and
code of the one label table (bpmn_tests walks every entry the flows write: test_every_history_entry_reads_in_japanese)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from handlers.services.history_labels import FIELD_LABELS, VALUE_LABELS, change_summary, value_text
from registry.seals.models import HistoryEntry


def _entry(before: dict, after: dict) -> HistoryEntry:
    return HistoryEntry(reason="交付一時停止", before_json=json.dumps(before, ensure_ascii=False),
                        after_json=json.dumps(after, ensure_ascii=False))


def test_the_phone_suspension_of_the_issue_reads_in_japanese():
    entry = _entry({"suspended_from": None}, {
        "suspended_from": "2026-04-01", "suspension_reason": "亡失の届出（電話）", "channel": "電話",
        "caller_name": "家族 太郎", "identity_answers": ["birth_date", "address"], "identity_document": None})
    assert change_summary(entry) == ("一時停止の開始日: なし → 2026-04-01、停止の理由: なし → 亡失の届出（電話）、"
                                     "申出の方法: なし → 電話、電話の方の氏名: なし → 家族 太郎、"
                                     "本人確認の回答: なし → 生年月日・住所、本人確認書類: なし → なし")


@pytest.mark.parametrize("key", sorted(FIELD_LABELS))
def test_every_key_has_its_label(key):
    summary = change_summary(_entry({key: None}, {key: "x"}))  # an empty before is a first registration
    assert summary == f"{FIELD_LABELS[key]}: なし → {value_text(key, 'x')}" and key not in summary


@pytest.mark.parametrize(("key", "code"), [(k, c) for k, labels in VALUE_LABELS.items() for c in labels])
def test_every_code_has_its_label(key, code):
    shown = change_summary(_entry({key: None}, {key: code}))
    assert shown.endswith(f"→ {VALUE_LABELS[key][code]}")
    if isinstance(code, str) and code.isascii():
        assert code not in shown.replace(FIELD_LABELS[key], "")


@pytest.mark.parametrize(("value", "shown"), [
    (None, "なし"), ("", "なし"), ([], "なし"), (True, "あり"), (False, "なし"), (date(2026, 4, 1), "2026-04-01"),
    (["faint", "not_red"], "かすれ・朱色でない可能性"), ({"channel": "phone", "note": "折り返し"}, "申出の方法: 電話、備考: 折り返し"),
    ([["birth_date"], {"applicant": "proxy"}], "生年月日・届出人: 代理人"), (12, "12"), (1.5, "1.5"),
])
def test_any_value_shape_renders(value, shown):
    key = "impression_warnings" if value == ["faint", "not_red"] else "identity_answers"
    assert value_text(key, value) == shown
