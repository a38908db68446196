"""OpenAPI paths and schemas of the auditors' and operators' API (issue 8), merged by webui/api/openapi.py."""

from __future__ import annotations

from engine.operations import MAX_REASON
from engine.outcomes import OUTCOMES
from webui.api.openapi import (
    ANY_OBJECT,
    BOOL,
    DATE,
    DATETIME,
    INT,
    LANE,
    STATUS,
    STR,
    _array,
    _id,
    _json,
    _json_body,
    _null,
    _obj,
    _op,
    _param,
    _ref,
    _text,
)
from webui.instances.search_form import MAX_VALUE

__all__ = ["audit_paths", "audit_schemas"]

TAG = "監査・運用"
FIELD = _text(MAX_VALUE)
CURSOR = _text(MAX_VALUE, pattern=r"^\d{4}-\d{2}-\d{2}T[0-9:.]+_[1-9][0-9]{0,8}$")
REASON = _text(MAX_REASON, minLength=1, pattern=r"\S")


def audit_schemas() -> dict[str, dict]:
    change = _obj({"label": STR, "before": STR, "after": STR, "is_new": BOOL, "blob": _null(STR)})
    return {
        "SearchRow": _obj({"id": INT, "process_id": STR, "process_name": STR, "status": STATUS,
                           "subject": _ref("Subject"), "started_by": STR, "started_at": DATETIME,
                           "updated_at": DATETIME, "ended_at": _null(DATETIME), "end_event": _null(STR),
                           "outcome": _null(_ref("CaseOutcome")), "version": STR}),
        "SearchPage": _obj({"rows": _array(_ref("SearchRow")), "total": INT, "total_is_capped": BOOL,
                            "total_estimate": _null(INT),
                            "next_cursor": _null(STR), "prev_cursor": _null(STR)}),
        "TimelineEvent": _obj({
            "at": DATETIME, "actor": STR, "role": _null(STR), "kind": STR, "title": _null(STR), "lane": _null(STR),
            "kind_label": _null(STR), "lines": _array(STR), "changes": _array(change),
            "documents": _array(ANY_OBJECT), "details": _null(STR), "neighbour": _null(STR),
            "step_data": _null(STR), "event_id": _null(INT), "row_hash": _null(STR)}),
        "ChainedHistoryEntry": _obj({"reason": STR, "effective_date": DATE, "processed_at": DATETIME,
                                     "operator": STR, "instance_id": _null(INT), "before": ANY_OBJECT,
                                     "after": ANY_OBJECT, "summary": STR, "chain_seq": _null(INT),
                                     "row_hash": _null(STR)}),
        "Timeline": _obj({"instance_id": INT, "status": STATUS, "events": _array(_ref("TimelineEvent")),
                          "history": _array(_ref("ChainedHistoryEntry")), "documents": _array(_ref("Document"))}),
        "AccessEntry": _obj({"id": INT, "at": DATETIME, "actor": STR, "actor_role": _null(STR), "resident_id": STR,
                             "what": STR, "target": _null(STR), "purpose": STR, "purpose_note": _null(STR),
                             "chain_seq": _null(INT)}),
        "AccessPage": _obj({"rows": _array(_ref("AccessEntry")), "total": INT, "page": INT, "per_page": INT,
                            "pages": INT}),
        "ChainReport": _obj({"chain": STR, "ok": BOOL, "rows": INT, "head_seq": INT, "head_hash": STR,
                             "broken_id": _null(INT), "broken_seq": _null(INT), "problem": _null(STR),
                             "from_seq": INT}),
        "Reports": _obj({"from": DATE, "to": DATE,
                         "tables": {"type": "object", "additionalProperties": _array(_array({})),
                                    "description": "instances / task_times / lane_times / open_tasks / refusals /"
                                                   " certificates / fraud_suspicions / suspicious_answers: 行の配列（列は画面のCSVと同じ）"}}),
        "OperationRequest": _obj({"reason": REASON}),
        "OperationResult": _obj({"instance_id": INT, "status": STATUS}),
        "ReassignRequest": _obj({"to": _text(100, minLength=1), "reason": REASON}),
    }


def _operation(name: str, verb: str) -> dict:
    return {"post": _op(f"{name}Instance", f"事案を{verb}する（システム管理のみ・理由必須・監査記録）", TAG,
                        (200, _json("操作後の状態", _ref("OperationResult"))), (403, 404, 409, 422),
                        params=(_id("instance_id", "事案ID"),), body=_json_body("OperationRequest"))}


def audit_paths() -> dict:
    search_params = (
        _param("process_id", "query", FIELD, "業務（process id）"),
        _param("version", "query", {"type": "integer", "minimum": 1, "maximum": 999_999_999}, "定義の版（ID）"),
        _param("status", "query", STATUS, "状態"),
        _param("outcome", "query", {"type": "string", "enum": list(OUTCOMES)}, "結果（終わり方）"),
        _param("from", "query", DATE, "開始日（から、日本時間、1990〜2200年）"),
        _param("to", "query", DATE, "開始日（まで）"), _param("clerk", "query", FIELD, "処理した職員"),
        _param("lane", "query", LANE, "処理待ちの作業があるレーン"), _param("name", "query", FIELD, "氏名（住民記録）"),
        _param("kana", "query", FIELD, "カナ（住民記録）"), _param("resident_id", "query", FIELD, "住民ID"),
        _param("number", "query", FIELD, "印鑑登録番号"),
        _param("incident", "query", {"type": "string", "enum": ["open", "any", "none"]}, "障害"),
        _param("sort", "query", {"type": "string", "enum": ["started", "updated"]}, "並び順の項目"),
        _param("order", "query", {"type": "string", "enum": ["asc", "desc"]}, "昇順・降順"),
        _param("after", "query", CURSOR, "次のページ（next_cursor。それ以外は400）"),
        _param("before", "query", CURSOR, "前のページ（prev_cursor）"),
        _param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": 200}, "1ページの件数"))
    return {
        "/instances/search": {"get": _op("searchInstances", "事案検索（条件・並び順・カーソルでページ送り）", TAG,
                                         (200, _json("該当する事案", _ref("SearchPage"))), (400,),
                                         params=search_params)},
        "/instances/{instance_id}/timeline": {"get": _op(
            "getInstanceTimeline", "事案の全記録（担当・レーン・変更前後・帳票・外部照会・各時点のデータ）と異動履歴・帳票", TAG,
            (200, _json("時系列の記録", _ref("Timeline"))), (404,), params=(_id("instance_id", "事案ID"),))},
        "/instances/{instance_id}/suspend": _operation("suspend", "一時停止"),
        "/instances/{instance_id}/resume": _operation("resume", "再開"),
        "/instances/{instance_id}/terminate": _operation("terminate", "強制終了"),
        "/tasks/{task_id}/reassign": {"post": _op(
            "reassignTask", "作業の担当者を変更する（システム管理のみ・理由必須）", TAG,
            (200, _json("新しい担当者", _ref("Claim"))), (403, 404, 409, 422), params=(_id("task_id", "作業ID"),),
            body=_json_body("ReassignRequest"))},
        "/audit/access-log": {"get": _op(
            "searchAccessLog", "閲覧記録（誰が・いつ・誰の情報を・何の目的で）— 監査・システム管理", TAG,
            (200, _json("新しい順", _ref("AccessPage"))), (400, 403),
            params=(_param("resident_id", "query", _text(), "住民ID"), _param("actor", "query", _text(), "職員"),
                    _param("page", "query", {"type": "integer", "minimum": 1, "maximum": 10_000}, "ページ"),
                    _param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": 200}, "件数")))},
        "/audit/chains": {"get": _op("verifyChains", "ハッシュ連鎖の検査（最初の不整合の行）", TAG,
                                     (200, _json("連鎖ごとの結果", _array(_ref("ChainReport")))), (400, 403),
                                     params=(_param("since_anchor", "query", BOOL,
                                                    "true: 固定値を照合し、直近の固定値以降だけを検査する"),))},
        "/audit/reports": {"get": _op(
            "getReports", "集計（業務別・結果別の件数、処理時間、未処理、却下理由、証明書交付）", TAG,
            (200, _json("集計表", _ref("Reports"))), (400, 403),
            params=(_param("from", "query", DATE, "期間（から）"), _param("to", "query", DATE, "期間（まで）")))},
    }
