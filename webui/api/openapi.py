"""The OpenAPI 3.1 document of /api/v1, built in code so it stays beside the shapes in schemas.py.

Built from the public builders (openapi_builders.py) with its audit and model-library parts (openapi_audit.py,
openapi_library.py), which build on the same builders and not on this module."""

from __future__ import annotations

from functools import cache

from engine.library.bundle import MAX_BUNDLE_BYTES
from engine.runtime.queries import DUE_FILTERS, INBOX_SORTS
from handlers.services.start_data import (
    MAX_NUMBER,
    MAX_REASON,
    NUMBER_PATTERN,
)
from juki.event_schema import EVENT_SCHEMAS
from registry.seals.shown_names import SHOWN_NAME_LABELS
from webui.api.openapi_audit import audit_paths, audit_schemas
from webui.api.openapi_builders import (
    ANY_OBJECT,
    BOOL,
    DATE,
    DATETIME,
    ID,
    INT,
    LANE,
    NUM,
    PAGING,
    PROCESS_ID,
    RESIDENT_ID,
    SHA256,
    STATUS,
    STR,
    array,
    json_body,
    json_response,
    nullable,
    obj,
    op,
    page,
    param,
    path_id,
    ref,
    text,
)
from webui.api.openapi_library import library_paths, library_schemas
from webui.uploads import ACCEPTED


def _start_data() -> dict:
    """The start contract (handlers/services/start_data.py)."""
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
        "ResidentEvent": {"oneOf": [ref(name) for name in kinds],
                          "description": "異動通知（kind ごとの形式。changes は 項目名 → {before, after}）"},
        "EventReceipt": obj({"status": {"type": "string", "enum": ["accepted", "duplicate"]}, "event_id": STR}),
    }


def _engine_schemas() -> dict[str, dict]:
    subject = obj({"name": nullable(STR), "resident_id": nullable(STR), "registration_number": nullable(STR)})
    return {
        "Error": obj({"error": STR, "message": STR,
                       "errors": {"type": "object", "additionalProperties": STR,
                                  "description": "項目名 → 日本語の誤り（invalid_form のとき）"}},
                      optional=("errors",), extra=True),
        "Definition": obj({"id": INT, "process_id": STR, "name": STR, "version": STR, "created_at": DATETIME,
                            "source": STR}),
        "DeployRequest": obj({"bpmn_xml": text(MAX_BUNDLE_BYTES, minLength=1), "forms": ANY_OBJECT,
                               "note": text(2000)}, optional=("forms", "note")),
        "DeployedDefinition": obj({"id": INT, "process_id": STR, "name": STR, "version": STR,
                                    "created_at": DATETIME, "source": STR,
                                    "status": {"type": "string", "enum": ["new_version", "unchanged"]}}),
        "StartRequest": obj({"process_id": PROCESS_ID, "data": _start_data()}, optional=("data",)),
        "CompleteRequest": obj({"data": ANY_OBJECT | {"description": "作業のフォームの JSON Schema に従う値"}},
                                extra=True),
        "Outcome": obj({"instance_id": INT, "status": STATUS,
                         "next_task_id": nullable(INT) | {"description": "事案の次の作業（自分の担当のとき）"},
                         "incident_id": nullable(INT),
                         "outcome": nullable(STR) | {"description": "事案が終わったときの結果（例: 却下（登録済み））"},
                         "next_steps": array(obj({"task_id": INT, "lane": STR, "title": STR,
                                                    "claimed_by": nullable(STR)}))}),
        "Subject": subject,
        "InstanceRow": obj({"id": INT, "process_id": STR, "process_name": STR, "status": STATUS,
                             "subject": ref("Subject"), "started_by": STR, "started_at": DATETIME,
                             "updated_at": DATETIME, "ended_at": nullable(DATETIME), "end_event": nullable(STR),
                             "outcome": nullable(ref("CaseOutcome"))}),
        "CaseOutcome": obj({"code": STR | {"description": "registered, refused, lapsed, referred … (engine/outcomes.py)"},
                             "label": STR, "reason": nullable(STR),
                             "text": STR | {"description": "表示用（例: 却下（登録済み））"}}),
        "InstancePage": page("InstanceRow"),
        "HumanTask": obj({"task_id": INT, "spec_name": STR, "title": STR, "lane": STR, "is_open": BOOL,
                           "created_at": DATETIME, "claimed_by": nullable(STR), "completed_by": nullable(STR),
                           "completed_at": nullable(DATETIME)}),
        "Incident": obj({"id": INT, "task": STR, "operator_id": nullable(STR), "error_type": STR,
                          "error_code": nullable(STR), "message": STR, "created_at": DATETIME,
                          "resolved_at": nullable(DATETIME), "resolved_by": nullable(STR)}),
        "InstanceDetail": obj({
            "id": INT, "process_id": STR, "definition": obj({"id": INT, "name": STR, "version": STR}),
            "status": STATUS, "subject": ref("Subject"), "started_by": STR, "started_at": DATETIME,
            "ended_at": nullable(DATETIME), "end_event": nullable(STR), "outcome": nullable(ref("CaseOutcome")),
            "tasks": array(ref("HumanTask")),
            "incidents": array(ref("Incident")), "completed_ids": array(STR), "active_ids": array(STR),
            "error_ids": array(STR), "taken_flows": array(STR), "data": ANY_OBJECT}),
        "Event": obj({"id": INT, "at": DATETIME, "actor": STR, "actor_role": nullable(STR), "kind": STR,
                       "task": nullable(STR), "title": nullable(STR), "summary": ANY_OBJECT}),
        "InboxRow": obj({"task_id": INT, "instance_id": INT, "process_name": STR, "title": STR, "lane": STR,
                          "subject_name": nullable(STR), "registration_number": nullable(STR), "created_at": DATETIME,
                          "claimed_by": nullable(STR), "process_id": STR, "step": STR | {"description": "作業（BPMN のタスクID）"},
                          "due_at": nullable(DATETIME) | {"description": "期限（4.1.4 の回答期限など。UTC）"},
                          "case_started_at": DATETIME | {"description": "事案の開始（経過日数の起点）"}}),
        "InboxPage": page("InboxRow"),
        "Form": obj({"title": STR, "function_id": nullable(STR),
                      "schema": ANY_OBJECT | {"description": "JSON Schema 2020-12 of the task data"},
                      "ui": ANY_OBJECT | {"description": "order, widgets, help, show"}}),
        "Task": obj({"task_id": INT, "instance_id": INT, "title": STR, "lane": STR, "is_open": BOOL,
                      "claimed_by": nullable(STR), "form": nullable(ref("Form")),
                      "context": ANY_OBJECT | {"description": "ui.show に挙げられたタスクデータ"}}),
        "Claim": obj({"task_id": INT, "claimed_by": nullable(STR)}),
    }


def _record_schemas() -> dict[str, dict]:
    resident_row = {"resident_id": STR, "name": STR, "kana": STR, "birth_date": DATE, "sex": STR,
                    "address": STR, "status": {"type": "string", "enum": ["resident", "moved_out", "deceased"]},
                    "household_id": STR, "relationship": STR, "registration_number": nullable(STR)}
    return {
        "Blob": obj({"sha256": SHA256, "media_type": {"type": "string", "enum": list(ACCEPTED)}, "size": INT}),
        "Upload": obj({"file": {"type": "string", "contentMediaType": "application/octet-stream"}}),
        "ResidentRow": obj(resident_row),
        "ResidentPage": page("ResidentRow"),
        "Resident": obj(resident_row | {"status_date": nullable(DATE), "nationality": STR,
                                         "common_name": nullable(STR), "katakana_name": nullable(STR),
                                         "old_surname": nullable(STR), "lacks_capacity": BOOL}),
        "ResidentDetail": obj({"resident": ref("Resident"), "household": array(ref("ResidentRow")),
                                "registrations": array(ref("Registration"))}),
        "Impression": obj({"blob": SHA256, "width_mm": NUM, "height_mm": NUM, "mm_per_px": NUM}),
        "HistoryEntry": obj({"reason": STR, "effective_date": DATE, "processed_at": DATETIME, "operator": STR,
                              "instance_id": nullable(INT), "before": ANY_OBJECT, "after": ANY_OBJECT,
                              "summary": STR}),
        "Document": obj({"kind": STR, "blob_sha256": SHA256, "filename": STR, "printed_by": STR,
                          "printed_at": DATETIME, "instance_id": nullable(INT), "reprint_reason": nullable(STR)}),
        "MailRequest": {"type": "object", "additionalProperties": False,
                        "description": "item_ids（帳票番号）か job_id（照会書兼回答書の一括印刷ジョブ）のどちらか一方",
                        "properties": {"item_ids": array(ID) | {"minItems": 1, "maxItems": 500}, "job_id": ID,
                                       "mailed_on": DATE | {"description": "郵送日（既定は今日、未来・印刷日より前は不可）"}}},
        "MailedLetters": obj({"mailed": array(INT), "mailed_on": DATE}),
        "Registration": obj({
            "registration_number": STR, "status": {"type": "string", "enum": ["registered", "abolished", "deleted"]},
            "status_label": STR, "registered_on": DATE, "resident_id": STR, "name": STR, "kana": STR,
            "birth_date": DATE, "sex": STR, "address": STR, "household_id": STR, "identity_path": STR,
            "card_kind": nullable(STR), "card_number": nullable(STR), "closed_on": nullable(DATE),
            "close_reason": nullable(STR), "impression": nullable(ref("Impression")),
            "impression_name": {"type": ["string", "null"], "enum": [*SHOWN_NAME_LABELS, None]},
            "impression_name_label": nullable(STR),
            "history": array(ref("HistoryEntry")), "documents": array(ref("Document"))}),
    }


# ---- operations -------------------------------------------------------------------------------------------
def _workflow_paths() -> dict:
    instance, task = path_id("instance_id", "事案ID"), path_id("task_id", "作業ID")
    outcome = json_response("処理結果（次の作業・障害があればそのID）", ref("Outcome"))
    return {
        "/definitions": {
            "get": op("listDefinitions", "有効な業務フロー定義の一覧", "業務フロー",
                       (200, json_response("有効な定義", array(ref("Definition")))), ()),
            "post": op("deployDefinition", "BPMN定義を検証して新しい版として登録する（管理者・システム管理）",
                        "業務フロー", (201, json_response("登録した版", ref("DeployedDefinition"))), (400, 403, 422),
                        body=json_body("DeployRequest")),
        },
        "/instances": {
            "get": op("listInstances", "事案の一覧（新しい順）", "事案",
                       (200, json_response("事案の一覧", ref("InstancePage"))), (400,),
                       params=(param("status", "query", STATUS, "状態で絞り込み"),
                               param("resident_id", "query", text(), "住民IDで絞り込み"), *PAGING)),
            "post": op("startInstance", "業務を開始する（有効な版で）", "事案",
                        (201, json_response("開始した事案", ref("Outcome"))), (400, 403, 404, 422),
                        body=json_body("StartRequest")),
        },
        "/instances/{instance_id}": {"get": op("getInstance", "事案の詳細", "事案",
                                                (200, json_response("事案の詳細", ref("InstanceDetail"))), (404,),
                                                params=(instance,))},
        "/instances/{instance_id}/events": {"get": op(
            "listInstanceEvents", "事案の操作履歴（監査ログ）", "事案",
            (200, json_response("古い順の操作履歴", array(ref("Event")))), (404,), params=(instance,))},
        "/inbox": {"get": op(
            "getInbox", "作業一覧（未完了の作業・古い順）", "作業", (200, json_response("作業一覧", ref("InboxPage"))),
            (400, 403), params=(param("lane", "query", LANE, "レーン（省略時は自分の最初のレーン）"),
                                param("mine", "query", BOOL, "true なら自分が担当中の作業だけ"),
                                param("process_id", "query", text(100), "業務で絞り込む"),
                                param("step", "query", text(100), "作業（タスクID）で絞り込む"),
                                param("due", "query", {"type": "string", "enum": list(DUE_FILTERS)},
                                       "期限: overdue 期限切れ / week 7日以内 / any 期限あり / none 期限なし"),
                                param("min_age_days", "query", {"type": "integer", "minimum": 0, "maximum": 3650},
                                       "事案の開始からの経過日数（以上）"),
                                param("sort", "query", {"type": "string", "enum": list(INBOX_SORTS)},
                                       "並び順: created 受付 / due 期限 / age 事案の古さ / flow 業務 / step 作業"),
                                param("order", "query", {"type": "string", "enum": ["asc", "desc"]}, "昇順・降順"),
                                *PAGING))},
        "/tasks/{task_id}": {"get": op("getTask", "作業とそのフォーム・表示データ", "作業",
                                        (200, json_response("作業", ref("Task"))), (404,), params=(task,))},
        "/tasks/{task_id}/claim": {"post": op("claimTask", "作業の担当になる", "作業",
                                               (200, json_response("担当者", ref("Claim"))), (403, 404, 409),
                                               params=(task,))},
        "/tasks/{task_id}/unclaim": {"post": op("unclaimTask", "作業の担当を外れる", "作業",
                                                 (200, json_response("担当者（なし）", ref("Claim"))), (403, 404, 409),
                                                 params=(task,))},
        "/tasks/{task_id}/complete": {"post": op(
            "completeTask", "フォームの内容で作業を完了する", "作業", (200, outcome), (400, 403, 404, 409, 422),
            params=(task,), body=json_body("CompleteRequest"))},
        "/incidents/{incident_id}/retry": {"post": op(
            "retryIncident", "障害になったサービスタスクを再実行する（システム管理・管理者）", "障害",
            (200, outcome), (403, 404, 409),
            params=(path_id("incident_id", "障害ID"),
                    param("on_active_version", "query", BOOL,
                           "true なら事案を業務フローの有効な版へ移してから再実行する（移せるときだけ。監査に記録）")))},
    }


def _record_paths() -> dict:
    binary = {"type": "string", "contentMediaType": "application/octet-stream"}
    return {
        "/blobs": {"post": op(
            "uploadBlob", "ファイル（スキャン画像・PDF）を登録する", "ファイル",
            (201, json_response("登録したファイル", ref("Blob"))), (400, 403, 413, 415, 422),
            body={"required": True, "content": {"multipart/form-data": {"schema": ref("Upload")}}})},
        "/blobs/{sha256}": {"get": op(
            "getBlob", "ファイルを取得する", "ファイル",
            (200, {"description": "ファイルの内容", "content": {t: {"schema": binary | {"contentMediaType": t}}
                                                          for t in ACCEPTED}}),
            (404,), params=(param("sha256", "path", SHA256, "SHA-256"),))},
        "/residents": {"get": op(
            "searchResidents", "2.1.3 基本検索（住民記録）", "住民",
            (200, json_response("該当する住民（カナ・生年月日順）", ref("ResidentPage"))), (400, 422),
            params=(param("kana", "query", text(), "カナ（前方一致）"), param("name", "query", text(), "氏名（部分一致）"),
                    param("birth_date", "query", DATE, "生年月日"), param("address", "query", text(), "住所（部分一致）"),
                    param("resident_id", "query", text(), "住民ID"),
                    param("include_former", "query", BOOL, "転出・死亡者も含める"), *PAGING))},
        "/residents/{resident_id}": {"get": op(
            "getResident", "2.2.1 登録内容照会（住民・世帯・印鑑登録原票）", "住民",
            (200, json_response("住民と印鑑登録", ref("ResidentDetail"))), (404, 422),
            params=(param("resident_id", "path", RESIDENT_ID, "住民ID"),))},
        "/registrations/{number}": {"get": op(
            "getRegistration", "印鑑登録原票（登録番号で）", "印鑑登録",
            (200, json_response("印鑑登録原票", ref("Registration"))), (404,),
            params=(param("number", "path", text(20, minLength=1), "印鑑登録番号"),))},
        "/print/mailed": {"post": op(
            "markLettersMailed", "4.1.4.2 印刷した照会書兼回答書を郵送済みにする（郵送日の記録・監査記録。窓口・バックヤード・"
            "業務管理）", "帳票",
            (200, json_response("郵送済みにした帳票", ref("MailedLetters"))), (403, 422), body=json_body("MailRequest"))},
        "/juki/events": {"post": _juki_event_operation()},
        "/openapi.json": {"get": op("getOpenApi", "この文書（OpenAPI 3.1）", "API",
                                     (200, json_response("OpenAPI 文書", ANY_OBJECT)), (), public=True)},
    }


def _juki_event_operation() -> dict:
    signature = "sha256=<本文のHMAC-SHA256（16進、共有鍵 INKAN_JUKI_EVENT_KEY）>"
    operation = op("receiveResidentEvent", "住基の異動通知を受け付ける（4.2.2 / 4.3.2 住民記録連動、システム管理の"
                    "サービスアカウント）", "住民記録連動",
                    (202, json_response("受け付けた（ワーカーが異動日順に処理する）", ref("EventReceipt"))), (403, 422),
                    params=(param("X-Juki-Signature", "header", text(200), signature, required=True),),
                    body=json_body("ResidentEvent"))
    operation["responses"]["200"] = json_response("同じ event_id を受付済み（何も変えない）", ref("EventReceipt"))
    operation["responses"]["401"] = json_response("APIトークンまたは署名ヘッダがない（unauthorized / signature_missing）",
                                          ref("Error"))
    operation["responses"]["403"] = json_response("権限がない・署名が一致しない・push 連携（INKAN_JUKI_LINKAGE）または共有鍵が"
                                          "未設定（forbidden / signature_invalid / juki_events_closed）", ref("Error"))
    operation["responses"]["422"] = json_response("異動通知の形式が正しくない（invalid_event）", ref("Error"))
    return operation


@cache
def openapi_document() -> dict:
    """The whole OpenAPI 3.1 document (do not mutate: it is cached)."""
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
