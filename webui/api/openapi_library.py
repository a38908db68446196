"""The OpenAPI part of the model library (/definitions/...): shapes and operations, merged by openapi.py."""

from __future__ import annotations

from webui.api.openapi_builders import (
    ANY_OBJECT,
    BOOL,
    DATETIME,
    ID,
    INT,
    PROCESS_ID,
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
)

TAG = "業務フロー定義"
PROBLEM = obj({"element_id": nullable(STR), "message": STR})


def library_schemas() -> dict[str, dict]:
    change = obj({"element_id": STR, "name": STR, "type": STR,
                   "change": {"type": "string", "enum": ["added", "removed", "changed"]}, "details": array(STR)})
    timer_change = obj({"element_id": STR, "name": STR, "old_due": DATETIME, "new_due": nullable(DATETIME),
                         "problem": STR})
    candidate = obj({"instance_id": INT, "subject_name": nullable(STR), "status": STR, "current_tasks": array(STR),
                      "can_move": BOOL, "reasons": array(STR), "timer_changes": array(timer_change)})
    result = obj({"id": STR, "name": STR, "passed": BOOL, "message": STR, "taken": array(STR)})
    return {
        "Problem": PROBLEM,
        "VersionList": obj({
            "process_id": STR, "name": STR,
            "versions": array(obj({"id": INT, "version": STR, "is_active": BOOL, "created_by": STR,
                                     "created_at": DATETIME, "note": STR, "source": STR, "open_instances": INT,
                                     "all_instances": INT})),
            "drafts": array(obj({"id": INT, "note": STR, "updated_by": STR, "updated_at": DATETIME,
                                   "problems": INT}))}),
        "VersionDiff": obj({"from": INT, "to": INT, "xml_diff": STR, "changes": array(change)}),
        "Draft": obj({"id": INT, "process_id": STR, "title": STR,
                       "status": {"type": "string", "enum": ["open", "deployed", "discarded"]},
                       "base_definition_id": nullable(INT), "note": STR, "bpmn_xml": STR, "forms": ANY_OBJECT,
                       "cases": ANY_OBJECT, "problems": array(ref("Problem")), "updated_by": STR,
                       "updated_at": DATETIME, "deployed_definition_id": nullable(INT)}),
        "DraftSave": obj({"bpmn_xml": STR, "forms": ANY_OBJECT, "cases": ANY_OBJECT, "note": STR},
                          optional=("note",)),
        "Problems": obj({"problems": array(ref("Problem"))}),
        "TestReport": obj({"passed": BOOL, "failed": array(STR), "flows": array(STR), "covered": array(STR),
                            "uncovered": array(STR), "results": array(result)}),
        "DeployDraft": obj({"confirm_uncovered": BOOL}, optional=("confirm_uncovered",)),
        "DraftDeployed": obj({"definition_id": INT, "version": STR,
                               "status": {"type": "string", "enum": ["new_version", "unchanged"]},
                               "report": ref("TestReport")}),
        "Activated": obj({"process_id": STR, "active": INT, "version": STR}),
        "MigrationPlan": obj({"from": INT, "to": INT, "instances": array(candidate)}),
        "MigrationRequest": obj({"from": ID, "to": ID, "instance_ids": array(ID),
                                  "timers": {"type": "string", "enum": ["follow", "keep"],
                                             "description": "タイマーの定義が変わったとき: follow は新しい版で期限を計算し直す（既定）、keep はいまの期限のまま"}},
                                 optional=("from", "to", "instance_ids", "timers")),
        "MigrationResult": obj({"from": INT, "to": INT, "moved": array(INT), "instances": array(candidate)}),
        "Bundle": obj({"format": {"type": "string", "const": "inkan-definition/1"}, "process_id": STR,
                        "bpmn_xml": STR, "forms": ANY_OBJECT, "cases": ANY_OBJECT}, extra=True),
        "Imported": obj({"draft_id": INT, "process_id": STR, "problems": array(ref("Problem"))}),
    }


def library_paths() -> dict:
    process = param("process_id", "path", PROCESS_ID, "プロセスID（例: sokuji_touroku）")
    version, draft = path_id("definition_id", "版のID"), path_id("draft_id", "下書きのID")
    pair = (process, param("from", "query", ID, "移行元・比較元の版ID（省略時は有効な版の1つ前）"),
            param("to", "query", ID, "移行先・比較先の版ID（省略時は有効な版）"))
    return {
        "/definitions/{process_id}/versions": {"get": op(
            "listDefinitionVersions", "業務フローの版の一覧（登録者・日時・変更メモ・内容ハッシュ・事案数）", TAG,
            (200, json_response("版と下書き", ref("VersionList"))), (403, 404), params=(process,))},
        "/definitions/{process_id}/diff": {"get": op(
            "diffDefinitionVersions", "2つの版の差分（XMLと、追加・削除・変更された要素）", TAG,
            (200, json_response("差分", ref("VersionDiff"))), (400, 403, 404), params=pair)},
        "/definitions/{process_id}/migration": {
            "get": op("planMigration", "事案の移行の試行（移行できる事案と、できない理由）", TAG,
                       (200, json_response("試行の結果", ref("MigrationPlan"))), (400, 403, 404, 409), params=pair),
            "post": op("migrateInstances", "進行中の事案を別の版へ移行する（管理者）", TAG,
                        (200, json_response("移行の結果", ref("MigrationResult"))), (403, 404, 409, 422),
                        params=(process,), body=json_body("MigrationRequest"))},
        "/definitions/versions/{definition_id}/drafts": {"post": op(
            "openDraft", "版を下書きとして開く（管理者）", TAG, (201, json_response("下書き", ref("Draft"))), (403, 404),
            params=(version,))},
        "/definitions/versions/{definition_id}/activate": {"post": op(
            "activateVersion", "この版を新しい事案に使う（切り戻し、管理者）", TAG,
            (200, json_response("有効な版", ref("Activated"))), (403, 404), params=(version,))},
        "/definitions/versions/{definition_id}/export": {"get": op(
            "exportDefinition", "版を1つのファイル（BPMN・フォーム・テストケース）に書き出す", TAG,
            (200, json_response("定義ファイル", ref("Bundle"))), (403, 404), params=(version,))},
        "/definitions/import": {"post": op(
            "importDefinition", "定義ファイルを下書きとして読み込む（保存と同じ検証、管理者）", TAG,
            (201, json_response("読み込んだ下書きと問題", ref("Imported"))), (403, 422), body=json_body("Bundle"))},
        "/definitions/drafts/{draft_id}": {
            "get": op("getDraft", "下書き", TAG, (200, json_response("下書き", ref("Draft"))), (403, 404),
                       params=(draft,)),
            "put": op("saveDraft", "下書きを保存して検証する（問題があっても保存する、管理者）", TAG,
                       (200, json_response("見つかった問題", ref("Problems"))), (403, 404, 409, 422), params=(draft,),
                       body=json_body("DraftSave"))},
        "/definitions/drafts/{draft_id}/test": {"post": op(
            "testDraft", "下書きのテストケースをサンドボックスで実行する（管理者）", TAG,
            (200, json_response("結果とシーケンスフローのカバレッジ", ref("TestReport"))), (403, 404, 422),
            params=(draft,))},
        "/definitions/drafts/{draft_id}/deploy": {"post": op(
            "deployDraft", "テストを実行し、通れば下書きを有効な版にする（管理者）", TAG,
            (201, json_response("反映した版", ref("DraftDeployed"))), (403, 404, 409, 422), params=(draft,),
            body={"required": False, "content": {"application/json": {"schema": ref("DeployDraft")}}})},
    }
