"""The OpenAPI 3.1 document of /api/v1, built in code so it stays beside the shapes in schemas.py."""

from __future__ import annotations

from functools import cache
from typing import Any

from engine.bundle import MAX_BUNDLE_BYTES
from engine.models import InstanceStatus
from engine.queries import DUE_FILTERS, INBOX_SORTS
from handlers.start_data import MAX_NUMBER, MAX_REASON, MAX_RESIDENT_ID, NUMBER_PATTERN, RESIDENT_ID_PATTERN
from juki.event_schema import EVENT_SCHEMAS
from registry.seals.shown_names import SHOWN_NAME_LABELS
from webui.converters import MAX_ID
from webui.params import MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_TEXT
from webui.uploads import ACCEPTED

STR: dict = {"type": "string"}
INT: dict = {"type": "integer"}
NUM: dict = {"type": "number"}
BOOL: dict = {"type": "boolean"}
DATE: dict = {"type": "string", "format": "date"}
DATETIME: dict = {"type": "string", "format": "date-time"}
ANY_OBJECT: dict = {"type": "object", "additionalProperties": True}
SHA256: dict = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
STATUS: dict = {"type": "string", "enum": list(InstanceStatus.ALL)}
LANE: dict = {"type": "string", "enum": ["窓口", "バックヤード"]}
PROCESS_ID: dict = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^[A-Za-z_][A-Za-z0-9_.-]*$"}
RESIDENT_ID: dict = {"type": "string", "minLength": 1, "maxLength": MAX_RESIDENT_ID, "pattern": RESIDENT_ID_PATTERN}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _null(schema: dict) -> dict:
    """The same schema, also allowing null."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return schema | {"type": [schema["type"], "null"]}


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


def _obj(properties: dict, *, optional: tuple[str, ...] = (), extra: bool = False) -> dict:
    return {"type": "object", "properties": properties,
            "required": [name for name in properties if name not in optional], "additionalProperties": extra}


def _page(row: str) -> dict:
    return _obj({"rows": _array(_ref(row)), "total": INT, "page": INT, "per_page": INT, "pages": INT})


def _start_data() -> dict:
    """The start contract (handlers/start_data.py)."""
    return {"type": "object", "additionalProperties": False, "description": "開始データ（すべて任意）",
            "properties": {"resident_id": RESIDENT_ID | {"description": "住民記録にある住民ID"},
                           "registration_number": {"type": "string", "maxLength": MAX_NUMBER,
                                                   "pattern": NUMBER_PATTERN, "description": "印鑑登録番号"},
                           "reason": {"type": "string", "maxLength": MAX_REASON, "pattern": r"^[^\x00-\x1f\x7f]*$",
                                      "description": "理由（1行）"},
                           "by_phone": BOOL | {"description": "電話での申出"}}}


def _schemas() -> dict[str, dict]:
    return _engine_schemas() | _record_schemas() | _juki_event_schemas()


def _juki_event_schemas() -> dict[str, dict]:
    """One schema per event kind (juki/event_schema.py: what the intake checks), and their union."""
    kinds = {f"ResidentEvent_{kind}": schema for kind, schema in EVENT_SCHEMAS.items()}
    return kinds | {
        "ResidentEvent": {"oneOf": [_ref(name) for name in kinds],
                          "description": "異動通知（kind ごとの形式。changes は 項目名 → {before, after}）"},
        "EventReceipt": _obj({"status": {"type": "string", "enum": ["accepted", "duplicate"]}, "event_id": STR}),
    }


def _engine_schemas() -> dict[str, dict]:
    subject = _obj({"name": _null(STR), "resident_id": _null(STR), "registration_number": _null(STR)})
    return {
        "Error": _obj({"error": STR, "message": STR,
                       "errors": {"type": "object", "additionalProperties": STR,
                                  "description": "項目名 → 日本語の誤り（invalid_form のとき）"}},
                      optional=("errors",), extra=True),
        "Definition": _obj({"id": INT, "process_id": STR, "name": STR, "version": STR, "created_at": DATETIME,
                            "source": STR}),
        "DeployRequest": _obj({"bpmn_xml": _text(MAX_BUNDLE_BYTES, minLength=1), "forms": ANY_OBJECT,
                               "note": _text(2000)}, optional=("forms", "note")),
        "DeployedDefinition": _obj({"id": INT, "process_id": STR, "name": STR, "version": STR,
                                    "created_at": DATETIME, "source": STR,
                                    "status": {"type": "string", "enum": ["new_version", "unchanged"]}}),
        "StartRequest": _obj({"process_id": PROCESS_ID, "data": _start_data()}, optional=("data",)),
        "CompleteRequest": _obj({"data": ANY_OBJECT | {"description": "作業のフォームの JSON Schema に従う値"}},
                                extra=True),
        "Outcome": _obj({"instance_id": INT, "status": STATUS,
                         "next_task_id": _null(INT) | {"description": "事案の次の作業（自分の担当のとき）"},
                         "incident_id": _null(INT),
                         "outcome": _null(STR) | {"description": "事案が終わったときの結果（例: 却下（登録済み））"},
                         "next_steps": _array(_obj({"task_id": INT, "lane": STR, "title": STR,
                                                    "claimed_by": _null(STR)}))}),
        "Subject": subject,
        "InstanceRow": _obj({"id": INT, "process_id": STR, "process_name": STR, "status": STATUS,
                             "subject": _ref("Subject"), "started_by": STR, "started_at": DATETIME,
                             "updated_at": DATETIME, "ended_at": _null(DATETIME), "end_event": _null(STR),
                             "outcome": _null(_ref("CaseOutcome"))}),
        "CaseOutcome": _obj({"code": STR | {"description": "registered, refused, lapsed, referred … (engine/outcomes.py)"},
                             "label": STR, "reason": _null(STR),
                             "text": STR | {"description": "表示用（例: 却下（登録済み））"}}),
        "InstancePage": _page("InstanceRow"),
        "HumanTask": _obj({"task_id": INT, "spec_name": STR, "title": STR, "lane": STR, "is_open": BOOL,
                           "created_at": DATETIME, "claimed_by": _null(STR), "completed_by": _null(STR),
                           "completed_at": _null(DATETIME)}),
        "Incident": _obj({"id": INT, "task": STR, "operator_id": _null(STR), "error_type": STR,
                          "error_code": _null(STR), "message": STR, "created_at": DATETIME,
                          "resolved_at": _null(DATETIME), "resolved_by": _null(STR)}),
        "InstanceDetail": _obj({
            "id": INT, "process_id": STR, "definition": _obj({"id": INT, "name": STR, "version": STR}),
            "status": STATUS, "subject": _ref("Subject"), "started_by": STR, "started_at": DATETIME,
            "ended_at": _null(DATETIME), "end_event": _null(STR), "outcome": _null(_ref("CaseOutcome")),
            "tasks": _array(_ref("HumanTask")),
            "incidents": _array(_ref("Incident")), "completed_ids": _array(STR), "active_ids": _array(STR),
            "error_ids": _array(STR), "taken_flows": _array(STR), "data": ANY_OBJECT}),
        "Event": _obj({"id": INT, "at": DATETIME, "actor": STR, "actor_role": _null(STR), "kind": STR,
                       "task": _null(STR), "title": _null(STR), "summary": ANY_OBJECT}),
        "InboxRow": _obj({"task_id": INT, "instance_id": INT, "process_name": STR, "title": STR, "lane": STR,
                          "subject_name": _null(STR), "registration_number": _null(STR), "created_at": DATETIME,
                          "claimed_by": _null(STR), "process_id": STR, "step": STR | {"description": "作業（BPMN のタスクID）"},
                          "due_at": _null(DATETIME) | {"description": "期限（4.1.4 の回答期限など。UTC）"},
                          "case_started_at": DATETIME | {"description": "事案の開始（経過日数の起点）"}}),
        "InboxPage": _page("InboxRow"),
        "Form": _obj({"title": STR, "function_id": _null(STR),
                      "schema": ANY_OBJECT | {"description": "JSON Schema 2020-12 of the task data"},
                      "ui": ANY_OBJECT | {"description": "order, widgets, help, show"}}),
        "Task": _obj({"task_id": INT, "instance_id": INT, "title": STR, "lane": STR, "is_open": BOOL,
                      "claimed_by": _null(STR), "form": _null(_ref("Form")),
                      "context": ANY_OBJECT | {"description": "ui.show に挙げられたタスクデータ"}}),
        "Claim": _obj({"task_id": INT, "claimed_by": _null(STR)}),
    }


def _record_schemas() -> dict[str, dict]:
    resident_row = {"resident_id": STR, "name": STR, "kana": STR, "birth_date": DATE, "sex": STR,
                    "address": STR, "status": {"type": "string", "enum": ["resident", "moved_out", "deceased"]},
                    "household_id": STR, "relationship": STR, "registration_number": _null(STR)}
    return {
        "Blob": _obj({"sha256": SHA256, "media_type": {"type": "string", "enum": list(ACCEPTED)}, "size": INT}),
        "Upload": _obj({"file": {"type": "string", "contentMediaType": "application/octet-stream"}}),
        "ResidentRow": _obj(resident_row),
        "ResidentPage": _page("ResidentRow"),
        "Resident": _obj(resident_row | {"status_date": _null(DATE), "nationality": STR,
                                         "common_name": _null(STR), "katakana_name": _null(STR),
                                         "old_surname": _null(STR), "lacks_capacity": BOOL}),
        "ResidentDetail": _obj({"resident": _ref("Resident"), "household": _array(_ref("ResidentRow")),
                                "registrations": _array(_ref("Registration"))}),
        "Impression": _obj({"blob": SHA256, "width_mm": NUM, "height_mm": NUM, "mm_per_px": NUM}),
        "HistoryEntry": _obj({"reason": STR, "effective_date": DATE, "processed_at": DATETIME, "operator": STR,
                              "instance_id": _null(INT), "before": ANY_OBJECT, "after": ANY_OBJECT,
                              "summary": STR}),
        "Document": _obj({"kind": STR, "blob_sha256": SHA256, "filename": STR, "printed_by": STR,
                          "printed_at": DATETIME, "instance_id": _null(INT), "reprint_reason": _null(STR)}),
        "MailRequest": {"type": "object", "additionalProperties": False,
                        "description": "item_ids（帳票番号）か job_id（照会書兼回答書の一括印刷ジョブ）のどちらか一方",
                        "properties": {"item_ids": _array(ID) | {"minItems": 1, "maxItems": 500}, "job_id": ID,
                                       "mailed_on": DATE | {"description": "郵送日（既定は今日、未来・印刷日より前は不可）"}}},
        "MailedLetters": _obj({"mailed": _array(INT), "mailed_on": DATE}),
        "Registration": _obj({
            "registration_number": STR, "status": {"type": "string", "enum": ["registered", "abolished", "deleted"]},
            "status_label": STR, "registered_on": DATE, "resident_id": STR, "name": STR, "kana": STR,
            "birth_date": DATE, "sex": STR, "address": STR, "household_id": STR, "identity_path": STR,
            "card_kind": _null(STR), "card_number": _null(STR), "closed_on": _null(DATE),
            "close_reason": _null(STR), "impression": _null(_ref("Impression")),
            "impression_name": {"type": ["string", "null"], "enum": [*SHOWN_NAME_LABELS, None]},
            "impression_name_label": _null(STR),
            "history": _array(_ref("HistoryEntry")), "documents": _array(_ref("Document"))}),
    }


# ---- operations -------------------------------------------------------------------------------------------
ERRORS = {
    400: "リクエストの形式が正しくありません（invalid_json / invalid_parameter / invalid_character（NUL・不正な文字"
         "コード・サロゲート） / json_too_deep（64段まで） / missing_file）",
    401: "APIトークンがない・正しくない・期限切れ・失効・利用者が無効（unauthorized / token_invalid / token_expired / "
         "token_revoked / account_inactive）",
    403: "権限がありません（forbidden / lane_forbidden）",
    404: "対象が見つかりません（範囲外のIDも）",
    409: "競合しました（task_already_completed / stale_instance / task_claimed_by_other / instance_not_active）",
    413: "ファイル・本文が大きすぎます（too_large）",
    415: "受け付けられない形式です（unsupported_media_type: JSON の操作は Content-Type: application/json）",
    422: "入力内容に誤りがあります（invalid_body / invalid_form / invalid_query / too_long / empty_file …）。"
         "errors が項目ごとの誤り",
    503: "データベースに接続できません（database_unavailable）。Retry-After 秒後に再試行してください",
}
ALWAYS = (400, 503)  # the guards (characters, JSON depth, query values) and a database outage answer any request
BODY_ERRORS = (413, 415)


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(status: int) -> dict:
    response = _json(ERRORS[status], _ref("Error"))
    if status == 503:
        response["headers"] = {"Retry-After": {"description": "再試行までの秒数", "schema": INT}}
    return response


def _param(name: str, where: str, schema: dict, description: str, required: bool = False) -> dict:
    return {"name": name, "in": where, "required": where == "path" or required, "schema": schema,
            "description": description}


def _op(operation_id: str, summary: str, tag: str, ok: tuple[int, dict], errors: tuple[int, ...], *,
        params: tuple[dict, ...] = (), body: dict | None = None, public: bool = False) -> dict:
    """One operation; the errors every request may meet are added: 400 / 503 always, 401 unless public,
    404 with a path parameter, 413 / 415 with a body."""
    statuses = set(errors) | set(ALWAYS) | ({401} if not public else set())
    statuses |= {404} if any(p["in"] == "path" for p in params) else set()
    statuses |= set(BODY_ERRORS) if body is not None else set()
    responses = {str(ok[0]): ok[1]} | {str(status): _error(status) for status in sorted(statuses)}
    operation: dict[str, Any] = {"operationId": operation_id, "summary": summary, "tags": [tag],
                                 "responses": responses}
    if params:
        operation["parameters"] = list(params)
    if body is not None:
        operation["requestBody"] = body
    if public:
        operation["security"] = []
    return operation


def _json_body(name: str, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {"schema": _ref(name)}}}


def _text(max_length: int = MAX_QUERY_TEXT, **more) -> dict:
    return {"type": "string", "maxLength": max_length} | more


PAGING = (_param("page", "query", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
                 f"ページ番号（1〜{MAX_PAGE}）"),
          _param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 50},
                 f"1ページの件数（{MAX_PER_PAGE}件まで）"))
ID: dict = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def _id(name: str, label: str) -> dict:
    return _param(name, "path", ID, label)


def _workflow_paths() -> dict:
    instance, task = _id("instance_id", "事案ID"), _id("task_id", "作業ID")
    outcome = _json("処理結果（次の作業・障害があればそのID）", _ref("Outcome"))
    return {
        "/definitions": {
            "get": _op("listDefinitions", "有効な業務フロー定義の一覧", "業務フロー",
                       (200, _json("有効な定義", _array(_ref("Definition")))), ()),
            "post": _op("deployDefinition", "BPMN定義を検証して新しい版として登録する（管理者・システム管理）",
                        "業務フロー", (201, _json("登録した版", _ref("DeployedDefinition"))), (400, 403, 422),
                        body=_json_body("DeployRequest")),
        },
        "/instances": {
            "get": _op("listInstances", "事案の一覧（新しい順）", "事案",
                       (200, _json("事案の一覧", _ref("InstancePage"))), (400,),
                       params=(_param("status", "query", STATUS, "状態で絞り込み"),
                               _param("resident_id", "query", _text(), "住民IDで絞り込み"), *PAGING)),
            "post": _op("startInstance", "業務を開始する（有効な版で）", "事案",
                        (201, _json("開始した事案", _ref("Outcome"))), (400, 403, 404, 422),
                        body=_json_body("StartRequest")),
        },
        "/instances/{instance_id}": {"get": _op("getInstance", "事案の詳細", "事案",
                                                (200, _json("事案の詳細", _ref("InstanceDetail"))), (404,),
                                                params=(instance,))},
        "/instances/{instance_id}/events": {"get": _op(
            "listInstanceEvents", "事案の操作履歴（監査ログ）", "事案",
            (200, _json("古い順の操作履歴", _array(_ref("Event")))), (404,), params=(instance,))},
        "/inbox": {"get": _op(
            "getInbox", "作業一覧（未完了の作業・古い順）", "作業", (200, _json("作業一覧", _ref("InboxPage"))),
            (400, 403), params=(_param("lane", "query", LANE, "レーン（省略時は自分の最初のレーン）"),
                                _param("mine", "query", BOOL, "true なら自分が担当中の作業だけ"),
                                _param("process_id", "query", _text(100), "業務で絞り込む"),
                                _param("step", "query", _text(100), "作業（タスクID）で絞り込む"),
                                _param("due", "query", {"type": "string", "enum": list(DUE_FILTERS)},
                                       "期限: overdue 期限切れ / week 7日以内 / any 期限あり / none 期限なし"),
                                _param("min_age_days", "query", {"type": "integer", "minimum": 0, "maximum": 3650},
                                       "事案の開始からの経過日数（以上）"),
                                _param("sort", "query", {"type": "string", "enum": list(INBOX_SORTS)},
                                       "並び順: created 受付 / due 期限 / age 事案の古さ / flow 業務 / step 作業"),
                                _param("order", "query", {"type": "string", "enum": ["asc", "desc"]}, "昇順・降順"),
                                *PAGING))},
        "/tasks/{task_id}": {"get": _op("getTask", "作業とそのフォーム・表示データ", "作業",
                                        (200, _json("作業", _ref("Task"))), (404,), params=(task,))},
        "/tasks/{task_id}/claim": {"post": _op("claimTask", "作業の担当になる", "作業",
                                               (200, _json("担当者", _ref("Claim"))), (403, 404, 409),
                                               params=(task,))},
        "/tasks/{task_id}/unclaim": {"post": _op("unclaimTask", "作業の担当を外れる", "作業",
                                                 (200, _json("担当者（なし）", _ref("Claim"))), (403, 404, 409),
                                                 params=(task,))},
        "/tasks/{task_id}/complete": {"post": _op(
            "completeTask", "フォームの内容で作業を完了する", "作業", (200, outcome), (400, 403, 404, 409, 422),
            params=(task,), body=_json_body("CompleteRequest"))},
        "/incidents/{incident_id}/retry": {"post": _op(
            "retryIncident", "障害になったサービスタスクを再実行する（システム管理・管理者）", "障害",
            (200, outcome), (403, 404, 409),
            params=(_id("incident_id", "障害ID"),
                    _param("on_active_version", "query", BOOL,
                           "true なら事案を業務フローの有効な版へ移してから再実行する（移せるときだけ。監査に記録）")))},
    }


def _record_paths() -> dict:
    binary = {"type": "string", "contentMediaType": "application/octet-stream"}
    return {
        "/blobs": {"post": _op(
            "uploadBlob", "ファイル（スキャン画像・PDF）を登録する", "ファイル",
            (201, _json("登録したファイル", _ref("Blob"))), (400, 403, 413, 415, 422),
            body={"required": True, "content": {"multipart/form-data": {"schema": _ref("Upload")}}})},
        "/blobs/{sha256}": {"get": _op(
            "getBlob", "ファイルを取得する", "ファイル",
            (200, {"description": "ファイルの内容", "content": {t: {"schema": binary | {"contentMediaType": t}}
                                                          for t in ACCEPTED}}),
            (404,), params=(_param("sha256", "path", SHA256, "SHA-256"),))},
        "/residents": {"get": _op(
            "searchResidents", "2.1.3 基本検索（住民記録）", "住民",
            (200, _json("該当する住民（カナ・生年月日順）", _ref("ResidentPage"))), (400, 422),
            params=(_param("kana", "query", _text(), "カナ（前方一致）"), _param("name", "query", _text(), "氏名（部分一致）"),
                    _param("birth_date", "query", DATE, "生年月日"), _param("address", "query", _text(), "住所（部分一致）"),
                    _param("resident_id", "query", _text(), "住民ID"),
                    _param("include_former", "query", BOOL, "転出・死亡者も含める"), *PAGING))},
        "/residents/{resident_id}": {"get": _op(
            "getResident", "2.2.1 登録内容照会（住民・世帯・印鑑登録原票）", "住民",
            (200, _json("住民と印鑑登録", _ref("ResidentDetail"))), (404, 422),
            params=(_param("resident_id", "path", RESIDENT_ID, "住民ID"),))},
        "/registrations/{number}": {"get": _op(
            "getRegistration", "印鑑登録原票（登録番号で）", "印鑑登録",
            (200, _json("印鑑登録原票", _ref("Registration"))), (404,),
            params=(_param("number", "path", _text(20, minLength=1), "印鑑登録番号"),))},
        "/print/mailed": {"post": _op(
            "markLettersMailed", "4.1.4.2 印刷した照会書兼回答書を郵送済みにする（郵送日の記録・監査記録。窓口・バックヤード・"
            "業務管理）", "帳票",
            (200, _json("郵送済みにした帳票", _ref("MailedLetters"))), (403, 422), body=_json_body("MailRequest"))},
        "/juki/events": {"post": _juki_event_operation()},
        "/openapi.json": {"get": _op("getOpenApi", "この文書（OpenAPI 3.1）", "API",
                                     (200, _json("OpenAPI 文書", ANY_OBJECT)), (), public=True)},
    }


def _juki_event_operation() -> dict:
    signature = "sha256=<本文のHMAC-SHA256（16進、共有鍵 INKAN_JUKI_EVENT_KEY）>"
    operation = _op("receiveResidentEvent", "住基の異動通知を受け付ける（4.2.2 / 4.3.2 住民記録連動、システム管理の"
                    "サービスアカウント）", "住民記録連動",
                    (202, _json("受け付けた（ワーカーが異動日順に処理する）", _ref("EventReceipt"))), (403, 422),
                    params=(_param("X-Juki-Signature", "header", _text(200), signature, required=True),),
                    body=_json_body("ResidentEvent"))
    operation["responses"]["200"] = _json("同じ event_id を受付済み（何も変えない）", _ref("EventReceipt"))
    operation["responses"]["401"] = _json("APIトークンまたは署名ヘッダがない（unauthorized / signature_missing）",
                                          _ref("Error"))
    operation["responses"]["403"] = _json("権限がない・署名が一致しない・push 連携（INKAN_JUKI_LINKAGE）または共有鍵が"
                                          "未設定（forbidden / signature_invalid / juki_events_closed）", _ref("Error"))
    operation["responses"]["422"] = _json("異動通知の形式が正しくない（invalid_event）", _ref("Error"))
    return operation


@cache
def openapi_document() -> dict:
    """The whole OpenAPI 3.1 document (do not mutate: it is cached)."""
    from webui.api.openapi_audit import audit_paths, audit_schemas  # it builds on this module's helpers
    from webui.api.openapi_library import library_paths, library_schemas  # the same, for the model library
    return {
        "openapi": "3.1.0",
        "info": {"title": "印鑑登録システム API", "version": "1.0.0",
                 "description": "業務フロー（BPMN）の開始・作業・照会のための JSON API。"
                                "認証は `Authorization: Bearer ink_…`（セッションCookieは使えません）。"
                                "エラーは {error, message, errors?} で、error は機械向けのコードです。"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": _workflow_paths() | _record_paths() | audit_paths() | library_paths(),
        "components": {
            "schemas": _schemas() | audit_schemas() | library_schemas(),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "ink_…",
                                               "description": "inkan issue-token で発行した APIトークン"}},
        },
    }
