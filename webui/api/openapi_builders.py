"""Public builders of the OpenAPI 3.1 document of /api/v1: the shared schema atoms (STR, INT, ID …) and the
helpers that make schemas, parameters and operations. openapi.py and its parts (openapi_audit.py,
openapi_library.py) all build on this module, so no part imports the document it belongs to."""

from __future__ import annotations

from typing import Any

from engine.models import InstanceStatus
from handlers.services.start_data import MAX_RESIDENT_ID, RESIDENT_ID_PATTERN
from webui.converters import MAX_ID
from webui.params import MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_TEXT

__all__ = ["ALWAYS", "ANY_OBJECT", "BODY_ERRORS", "BOOL", "DATE", "DATETIME", "ERRORS", "ID", "INT", "LANE", "NUM",
           "PAGING", "PROCESS_ID", "RESIDENT_ID", "SHA256", "STATUS", "STR", "array", "error_response",
           "json_body", "json_response", "nullable", "obj", "op", "page", "param", "path_id", "ref", "text"]

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


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    """The same schema, also allowing null."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return schema | {"type": [schema["type"], "null"]}


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


def obj(properties: dict, *, optional: tuple[str, ...] = (), extra: bool = False) -> dict:
    return {"type": "object", "properties": properties,
            "required": [name for name in properties if name not in optional], "additionalProperties": extra}


def page(row: str) -> dict:
    return obj({"rows": array(ref(row)), "total": INT, "page": INT, "per_page": INT, "pages": INT})


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


def json_response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_response(status: int) -> dict:
    response = json_response(ERRORS[status], ref("Error"))
    if status == 503:
        response["headers"] = {"Retry-After": {"description": "再試行までの秒数", "schema": INT}}
    return response


def param(name: str, where: str, schema: dict, description: str, required: bool = False) -> dict:
    return {"name": name, "in": where, "required": where == "path" or required, "schema": schema,
            "description": description}


def op(operation_id: str, summary: str, tag: str, ok: tuple[int, dict], errors: tuple[int, ...], *,
        params: tuple[dict, ...] = (), body: dict | None = None, public: bool = False) -> dict:
    """One operation; the errors every request may meet are added: 400 / 503 always, 401 unless public,
    404 with a path parameter, 413 / 415 with a body."""
    statuses = set(errors) | set(ALWAYS) | ({401} if not public else set())
    statuses |= {404} if any(p["in"] == "path" for p in params) else set()
    statuses |= set(BODY_ERRORS) if body is not None else set()
    responses = {str(ok[0]): ok[1]} | {str(status): error_response(status) for status in sorted(statuses)}
    operation: dict[str, Any] = {"operationId": operation_id, "summary": summary, "tags": [tag],
                                 "responses": responses}
    if params:
        operation["parameters"] = list(params)
    if body is not None:
        operation["requestBody"] = body
    if public:
        operation["security"] = []
    return operation


def json_body(name: str, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {"schema": ref(name)}}}


def text(max_length: int = MAX_QUERY_TEXT, **more) -> dict:
    return {"type": "string", "maxLength": max_length} | more


PAGING = (param("page", "query", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
                 f"ページ番号（1〜{MAX_PAGE}）"),
          param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 50},
                 f"1ページの件数（{MAX_PER_PAGE}件まで）"))
ID: dict = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def path_id(name: str, label: str) -> dict:
    return param(name, "path", ID, label)
