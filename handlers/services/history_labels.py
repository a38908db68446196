"""The one label table of the 異動履歴: every key the registry writes into a history entry and every code value.

``change_summary`` renders an entry as 「住所: 旧 → 新、…」 for pages, API answers and printed sheets. Any value
shape is rendered (lists as 「生年月日・住所」, mappings as 「項目: 値」), so a new answer shape never breaks a page.
A key or code missing here shows up raw; the bpmn_tests walk of every history entry fails on it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from registry.seals.models import HistoryEntry, RecordStatus
from registry.seals.shown_names import SHOWN_NAME_LABELS

__all__ = ["FIELD_LABELS", "VALUE_LABELS", "change_summary", "field_label", "value_text"]

IDENTITY_DOCUMENTS = {"mynumber_card": "個人番号カード", "driving_licence": "運転免許証", "passport": "旅券",
                      "residence_card": "在留カード・特別永住者証明書", "health_insurance": "健康保険証など（2点）",
                      "other_photo_id": "その他の官公署発行の写真付き証明書", "other": "その他", "none": "なし"}

FIELD_LABELS = {
    # the record (registry.seals.records.SNAPSHOT_FIELDS) and its closing
    "registration_number": "登録番号", "status": "状態", "name": "氏名", "kana": "フリガナ", "old_surname": "旧氏",
    "common_name": "通称", "katakana_name": "カタカナ併記名", "birth_date": "生年月日", "sex": "性別",
    "address": "住所", "household_id": "世帯番号", "card_kind": "登録証", "card_number": "登録証番号",
    "mynumber_cert_serial": "電子証明書", "close_reason": "廃止・抹消の理由", "closed_on": "廃止・抹消日",
    "impression_name": "印影の表す氏名",
    # 4.1.2 登録
    "impression_warnings": "印影の注意", "override_reason": "注意を確認して登録した理由",
    "guarantor_registration_number": "保証人の登録番号（保証書）",
    # 4.4.1 廃止・亡失
    "card_collected": "登録証の回収", "applicant": "届出人", "identity_document": "本人確認書類",
    "lost_item": "亡失したもの",
    # 6.2.1 / 6.2.2 一時停止・解除
    "suspended_from": "一時停止の開始日", "suspended_until": "一時停止の終了日", "suspension_reason": "停止の理由",
    "reason_detail": "理由の詳細", "channel": "申出の方法", "caller": "電話の方", "caller_name": "電話の方の氏名",
    "identity_answers": "本人確認の回答", "note": "備考",
    # 4.3.1 / 4.3.2 修正, 4.2.2 抹消, 回復
    "correction_note": "修正の理由", "juki_event_id": "住基の異動通知", "cancels_event_id": "取り消した異動通知",
    "name_decision": "氏名変更の判断", "decision_reason": "判断の理由",
    # 4.5 異動の取消し
    "cancels_entry_id": "取り消した異動履歴", "cancel_reason": "取消しの理由",
    # 5.3 引換交付, 5.2.4 暗証番号
    "returned_card": "返納した登録証", "pin": "暗証番号",
    # 5.2 登録証番号の正規化 (migration 0019)
    "normalised_from": "正規化前の登録証番号",
}

VALUE_LABELS: dict[str, Mapping[Any, str]] = {
    "status": RecordStatus.LABELS,
    "impression_name": SHOWN_NAME_LABELS,
    "applicant": {"self": "本人", "proxy": "代理人"},
    "identity_document": IDENTITY_DOCUMENTS,
    "identity_answers": {"birth_date": "生年月日", "address": "住所", "registration_number": "印鑑登録番号",
                         "household": "世帯の構成"},
    "channel": {"counter": "窓口", "phone": "電話"},
    "caller": {"self": "登録者本人", "family": "家族（同一世帯）", "other": "その他"},
    "lost_item": {"card": "印鑑登録証", "seal": "印鑑", "both": "印鑑・印鑑登録証"},
    "name_decision": {"keep": "印影は新しい氏名を表している（修正）", "mismatch": "印影は新しい氏名を表していない（抹消）"},
    "impression_warnings": {"no_impression": "印影なし", "too_small": "小さすぎる", "too_large": "大きすぎる",
                            "multiple_impressions": "印影が複数", "multiple_impressions_minor": "ほかの赤い印",
                            "faint": "かすれ", "broken_outline": "外枠の欠け", "not_red": "朱色でない可能性",
                            "unclear_extent": "印影の範囲が不明", "unclear_edge": "輪郭が不明瞭"},
}
BOOLEAN_LABELS = {True: "あり", False: "なし"}
EMPTY = "なし"


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key, key)


def value_text(key: str, value: Any) -> str:
    """One value as a clerk reads it: codes by their label, lists joined with 「・」, mappings as 「項目: 値」."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return BOOLEAN_LABELS[value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return "・".join(value_text(key, item) for item in value)
    if isinstance(value, Mapping):
        return "、".join(f"{field_label(str(k))}: {value_text(str(k), v)}" for k, v in value.items())
    labels = VALUE_LABELS.get(key, {})
    return labels.get(value, str(value)) if isinstance(value, str | int) else str(value)


def change_summary(entry: HistoryEntry) -> str:
    """「住所: 旧 → 新」 parts joined by 「、」; a first registration lists the number, the name its impression shows
    and its guarantor."""
    before, after = json.loads(entry.before_json or "{}"), json.loads(entry.after_json or "{}")
    if not before and "registration_number" in after:
        shown, guarantor = after.get("impression_name"), after.get("guarantor_registration_number")
        return (f"登録番号 {after['registration_number']}"
                + (f"、{field_label('impression_name')}: {value_text('impression_name', shown)}" if shown else "")
                + (f"、{field_label('guarantor_registration_number')}: {guarantor}" if guarantor else ""))
    return "、".join(f"{field_label(key)}: {value_text(key, before.get(key))} → {value_text(key, new)}"
                    for key, new in after.items())
