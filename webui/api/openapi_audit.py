"""OpenAPI paths and schemas of the auditors' and operators' API (issue 8), merged by webui/api/openapi.py."""

from __future__ import annotations

from engine.outcomes import OUTCOMES
from engine.runtime.operations import MAX_REASON
from webui.api.openapi_builders import (
    ANY_OBJECT,
    BOOL,
    DATE,
    DATETIME,
    INT,
    LANE,
    STATUS,
    STR,
    array,
    json_body,
    json_response,
    nullable,
    obj,
    op,
    param,
    path_id,
    ref,
    text,
)
from webui.instances.search_form import MAX_VALUE

__all__ = ["audit_paths", "audit_schemas"]

TAG = "監査・運用"
FIELD = text(MAX_VALUE)
CURSOR = text(MAX_VALUE, pattern=r"^\d{4}-\d{2}-\d{2}T[0-9:.]+_[1-9][0-9]{0,8}$")
REASON = text(MAX_REASON, minLength=1, pattern=r"\S")


def audit_schemas() -> dict[str, dict]:
    change = obj({"label": STR, "before": STR, "after": STR, "is_new": BOOL, "blob": nullable(STR)})
    return {
        "SearchRow": obj({"id": INT, "process_id": STR, "process_name": STR, "status": STATUS,
                           "subject": ref("Subject"), "started_by": STR, "started_at": DATETIME,
                           "updated_at": DATETIME, "ended_at": nullable(DATETIME), "end_event": nullable(STR),
                           "outcome": nullable(ref("CaseOutcome")), "version": STR}),
        "SearchPage": obj({"rows": array(ref("SearchRow")), "total": INT, "total_is_capped": BOOL,
                            "total_estimate": nullable(INT),
                            "next_cursor": nullable(STR), "prev_cursor": nullable(STR)}),
        "TimelineEvent": obj({
            "at": DATETIME, "actor": STR, "role": nullable(STR), "kind": STR, "title": nullable(STR), "lane": nullable(STR),
            "kind_label": nullable(STR), "lines": array(STR), "changes": array(change),
            "documents": array(ANY_OBJECT), "details": nullable(STR), "neighbour": nullable(STR),
            "step_data": nullable(STR), "event_id": nullable(INT), "row_hash": nullable(STR)}),
        "ChainedHistoryEntry": obj({"reason": STR, "effective_date": DATE, "processed_at": DATETIME,
                                     "operator": STR, "instance_id": nullable(INT), "before": ANY_OBJECT,
                                     "after": ANY_OBJECT, "summary": STR, "chain_seq": nullable(INT),
                                     "row_hash": nullable(STR)}),
        "Timeline": obj({"instance_id": INT, "status": STATUS, "events": array(ref("TimelineEvent")),
                          "history": array(ref("ChainedHistoryEntry")), "documents": array(ref("Document"))}),
        "AccessEntry": obj({"id": INT, "at": DATETIME, "actor": STR, "actor_role": nullable(STR), "resident_id": STR,
                             "what": STR, "target": nullable(STR), "purpose": STR, "purpose_note": nullable(STR),
                             "chain_seq": nullable(INT)}),
        "AccessPage": obj({"rows": array(ref("AccessEntry")), "total": INT, "page": INT, "per_page": INT,
                            "pages": INT}),
        "ChainReport": obj({"chain": STR, "ok": BOOL, "rows": INT, "head_seq": INT, "head_hash": STR,
                             "broken_id": nullable(INT), "broken_seq": nullable(INT), "problem": nullable(STR),
                             "from_seq": INT}),
        "Reports": obj({"from": DATE, "to": DATE,
                         "tables": {"type": "object", "additionalProperties": array(array({})),
                                    "description": "instances / task_times / lane_times / open_tasks / refusals /"
                                                   " certificates / fraud_suspicions / suspicious_answers: 行の配列（列は画面のCSVと同じ）"}}),
        "OperationRequest": obj({"reason": REASON}),
        "OperationResult": obj({"instance_id": INT, "status": STATUS}),
        "ReassignRequest": obj({"to": text(100, minLength=1), "reason": REASON}),
    }


def _operation(name: str, verb: str) -> dict:
    return {"post": op(f"{name}Instance", f"事案を{verb}する（システム管理のみ・理由必須・監査記録）", TAG,
                        (200, json_response("操作後の状態", ref("OperationResult"))), (403, 404, 409, 422),
                        params=(path_id("instance_id", "事案ID"),), body=json_body("OperationRequest"))}


def audit_paths() -> dict:
    search_params = (
        param("process_id", "query", FIELD, "業務（process id）"),
        param("version", "query", {"type": "integer", "minimum": 1, "maximum": 999_999_999}, "定義の版（ID）"),
        param("status", "query", STATUS, "状態"),
        param("outcome", "query", {"type": "string", "enum": list(OUTCOMES)}, "結果（終わり方）"),
        param("from", "query", DATE, "開始日（から、日本時間、1990〜2200年）"),
        param("to", "query", DATE, "開始日（まで）"), param("clerk", "query", FIELD, "処理した職員"),
        param("lane", "query", LANE, "処理待ちの作業があるレーン"), param("name", "query", FIELD, "氏名（住民記録）"),
        param("kana", "query", FIELD, "カナ（住民記録）"), param("resident_id", "query", FIELD, "住民ID"),
        param("number", "query", FIELD, "印鑑登録番号"),
        param("incident", "query", {"type": "string", "enum": ["open", "any", "none"]}, "障害"),
        param("sort", "query", {"type": "string", "enum": ["started", "updated"]}, "並び順の項目"),
        param("order", "query", {"type": "string", "enum": ["asc", "desc"]}, "昇順・降順"),
        param("after", "query", CURSOR, "次のページ（next_cursor。それ以外は400）"),
        param("before", "query", CURSOR, "前のページ（prev_cursor）"),
        param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": 200}, "1ページの件数"))
    return {
        "/instances/search": {"get": op("searchInstances", "事案検索（条件・並び順・カーソルでページ送り）", TAG,
                                         (200, json_response("該当する事案", ref("SearchPage"))), (400,),
                                         params=search_params)},
        "/instances/{instance_id}/timeline": {"get": op(
            "getInstanceTimeline", "事案の全記録（担当・レーン・変更前後・帳票・外部照会・各時点のデータ）と異動履歴・帳票", TAG,
            (200, json_response("時系列の記録", ref("Timeline"))), (404,), params=(path_id("instance_id", "事案ID"),))},
        "/instances/{instance_id}/suspend": _operation("suspend", "一時停止"),
        "/instances/{instance_id}/resume": _operation("resume", "再開"),
        "/instances/{instance_id}/terminate": _operation("terminate", "強制終了"),
        "/tasks/{task_id}/reassign": {"post": op(
            "reassignTask", "作業の担当者を変更する（システム管理のみ・理由必須）", TAG,
            (200, json_response("新しい担当者", ref("Claim"))), (403, 404, 409, 422), params=(path_id("task_id", "作業ID"),),
            body=json_body("ReassignRequest"))},
        "/audit/access-log": {"get": op(
            "searchAccessLog", "閲覧記録（誰が・いつ・誰の情報を・何の目的で）— 監査・システム管理", TAG,
            (200, json_response("新しい順", ref("AccessPage"))), (400, 403),
            params=(param("resident_id", "query", text(), "住民ID"), param("actor", "query", text(), "職員"),
                    param("page", "query", {"type": "integer", "minimum": 1, "maximum": 10_000}, "ページ"),
                    param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": 200}, "件数")))},
        "/audit/chains": {"get": op("verifyChains", "ハッシュ連鎖の検査（最初の不整合の行）", TAG,
                                     (200, json_response("連鎖ごとの結果", array(ref("ChainReport")))), (400, 403),
                                     params=(param("since_anchor", "query", BOOL,
                                                    "true: 固定値を照合し、直近の固定値以降だけを検査する"),))},
        "/audit/reports": {"get": op(
            "getReports", "集計（業務別・結果別の件数、処理時間、未処理、却下理由、証明書交付）", TAG,
            (200, json_response("集計表", ref("Reports"))), (400, 403),
            params=(param("from", "query", DATE, "期間（から）"), param("to", "query", DATE, "期間（まで）")))},
    }
