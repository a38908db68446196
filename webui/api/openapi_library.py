"""The OpenAPI part of the model library (/definitions/...): shapes and operations, merged by openapi.py."""

from __future__ import annotations

from webui.api.openapi import (
    ANY_OBJECT,
    BOOL,
    DATETIME,
    ID,
    INT,
    PROCESS_ID,
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
)

TAG = "業務フロー定義"
PROBLEM = _obj({"element_id": _null(STR), "message": STR})


def library_schemas() -> dict[str, dict]:
    change = _obj({"element_id": STR, "name": STR, "type": STR,
                   "change": {"type": "string", "enum": ["added", "removed", "changed"]}, "details": _array(STR)})
    timer_change = _obj({"element_id": STR, "name": STR, "old_due": DATETIME, "new_due": _null(DATETIME),
                         "problem": STR})
    candidate = _obj({"instance_id": INT, "subject_name": _null(STR), "status": STR, "current_tasks": _array(STR),
                      "can_move": BOOL, "reasons": _array(STR), "timer_changes": _array(timer_change)})
    result = _obj({"id": STR, "name": STR, "passed": BOOL, "message": STR, "taken": _array(STR)})
    return {
        "Problem": PROBLEM,
        "VersionList": _obj({
            "process_id": STR, "name": STR,
            "versions": _array(_obj({"id": INT, "version": STR, "is_active": BOOL, "created_by": STR,
                                     "created_at": DATETIME, "note": STR, "source": STR, "open_instances": INT,
                                     "all_instances": INT})),
            "drafts": _array(_obj({"id": INT, "note": STR, "updated_by": STR, "updated_at": DATETIME,
                                   "problems": INT}))}),
        "VersionDiff": _obj({"from": INT, "to": INT, "xml_diff": STR, "changes": _array(change)}),
        "Draft": _obj({"id": INT, "process_id": STR, "title": STR,
                       "status": {"type": "string", "enum": ["open", "deployed", "discarded"]},
                       "base_definition_id": _null(INT), "note": STR, "bpmn_xml": STR, "forms": ANY_OBJECT,
                       "cases": ANY_OBJECT, "problems": _array(_ref("Problem")), "updated_by": STR,
                       "updated_at": DATETIME, "deployed_definition_id": _null(INT)}),
        "DraftSave": _obj({"bpmn_xml": STR, "forms": ANY_OBJECT, "cases": ANY_OBJECT, "note": STR},
                          optional=("note",)),
        "Problems": _obj({"problems": _array(_ref("Problem"))}),
        "TestReport": _obj({"passed": BOOL, "failed": _array(STR), "flows": _array(STR), "covered": _array(STR),
                            "uncovered": _array(STR), "results": _array(result)}),
        "DeployDraft": _obj({"confirm_uncovered": BOOL}, optional=("confirm_uncovered",)),
        "DraftDeployed": _obj({"definition_id": INT, "version": STR,
                               "status": {"type": "string", "enum": ["new_version", "unchanged"]},
                               "report": _ref("TestReport")}),
        "Activated": _obj({"process_id": STR, "active": INT, "version": STR}),
        "MigrationPlan": _obj({"from": INT, "to": INT, "instances": _array(candidate)}),
        "MigrationRequest": _obj({"from": ID, "to": ID, "instance_ids": _array(ID),
                                  "timers": {"type": "string", "enum": ["follow", "keep"],
                                             "description": "タイマーの定義が変わったとき: follow は新しい版で期限を計算し直す（既定）、keep はいまの期限のまま"}},
                                 optional=("from", "to", "instance_ids", "timers")),
        "MigrationResult": _obj({"from": INT, "to": INT, "moved": _array(INT), "instances": _array(candidate)}),
        "Bundle": _obj({"format": {"type": "string", "const": "inkan-definition/1"}, "process_id": STR,
                        "bpmn_xml": STR, "forms": ANY_OBJECT, "cases": ANY_OBJECT}, extra=True),
        "Imported": _obj({"draft_id": INT, "process_id": STR, "problems": _array(_ref("Problem"))}),
    }


def library_paths() -> dict:
    process = _param("process_id", "path", PROCESS_ID, "プロセスID（例: sokuji_touroku）")
    version, draft = _id("definition_id", "版のID"), _id("draft_id", "下書きのID")
    pair = (process, _param("from", "query", ID, "移行元・比較元の版ID（省略時は有効な版の1つ前）"),
            _param("to", "query", ID, "移行先・比較先の版ID（省略時は有効な版）"))
    return {
        "/definitions/{process_id}/versions": {"get": _op(
            "listDefinitionVersions", "業務フローの版の一覧（登録者・日時・変更メモ・内容ハッシュ・事案数）", TAG,
            (200, _json("版と下書き", _ref("VersionList"))), (403, 404), params=(process,))},
        "/definitions/{process_id}/diff": {"get": _op(
            "diffDefinitionVersions", "2つの版の差分（XMLと、追加・削除・変更された要素）", TAG,
            (200, _json("差分", _ref("VersionDiff"))), (400, 403, 404), params=pair)},
        "/definitions/{process_id}/migration": {
            "get": _op("planMigration", "事案の移行の試行（移行できる事案と、できない理由）", TAG,
                       (200, _json("試行の結果", _ref("MigrationPlan"))), (400, 403, 404, 409), params=pair),
            "post": _op("migrateInstances", "進行中の事案を別の版へ移行する（管理者）", TAG,
                        (200, _json("移行の結果", _ref("MigrationResult"))), (403, 404, 409, 422),
                        params=(process,), body=_json_body("MigrationRequest"))},
        "/definitions/versions/{definition_id}/drafts": {"post": _op(
            "openDraft", "版を下書きとして開く（管理者）", TAG, (201, _json("下書き", _ref("Draft"))), (403, 404),
            params=(version,))},
        "/definitions/versions/{definition_id}/activate": {"post": _op(
            "activateVersion", "この版を新しい事案に使う（切り戻し、管理者）", TAG,
            (200, _json("有効な版", _ref("Activated"))), (403, 404), params=(version,))},
        "/definitions/versions/{definition_id}/export": {"get": _op(
            "exportDefinition", "版を1つのファイル（BPMN・フォーム・テストケース）に書き出す", TAG,
            (200, _json("定義ファイル", _ref("Bundle"))), (403, 404), params=(version,))},
        "/definitions/import": {"post": _op(
            "importDefinition", "定義ファイルを下書きとして読み込む（保存と同じ検証、管理者）", TAG,
            (201, _json("読み込んだ下書きと問題", _ref("Imported"))), (403, 422), body=_json_body("Bundle"))},
        "/definitions/drafts/{draft_id}": {
            "get": _op("getDraft", "下書き", TAG, (200, _json("下書き", _ref("Draft"))), (403, 404),
                       params=(draft,)),
            "put": _op("saveDraft", "下書きを保存して検証する（問題があっても保存する、管理者）", TAG,
                       (200, _json("見つかった問題", _ref("Problems"))), (403, 404, 409, 422), params=(draft,),
                       body=_json_body("DraftSave"))},
        "/definitions/drafts/{draft_id}/test": {"post": _op(
            "testDraft", "下書きのテストケースをサンドボックスで実行する（管理者）", TAG,
            (200, _json("結果とシーケンスフローのカバレッジ", _ref("TestReport"))), (403, 404, 422),
            params=(draft,))},
        "/definitions/drafts/{draft_id}/deploy": {"post": _op(
            "deployDraft", "テストを実行し、通れば下書きを有効な版にする（管理者）", TAG,
            (201, _json("反映した版", _ref("DraftDeployed"))), (403, 404, 409, 422), params=(draft,),
            body={"required": False, "content": {"application/json": {"schema": _ref("DeployDraft")}}})},
    }
