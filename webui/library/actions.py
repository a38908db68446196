"""What the library pages and the API both do: read a draft body, run a draft's tests, deploy after testing.

Each function opens its own unit of work; routes only parse the request and render the result.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import current_app

from engine.actor import Actor
from engine.casework import TIMERS_STEP, Replay, SuiteReport, check_case_document, shipped_document
from engine.errors import DefinitionNotFound, EngineError
from engine.library import drafts
from engine.library.bundle import bundle_of
from engine.library.catalog import (
    DeployResult,
    active_definition,
    get_definition,
    list_active_definitions,
    list_versions,
)
from engine.library.draft_models import DefinitionDraft
from engine.library.forms import check_form_document, coerce_form_input
from engine.library.version_diff import ElementChange, diff_versions
from webui.library.sandbox import replay_draft_case, run_draft_cases
from webui.wiring import product

__all__ = ["EDIT_ROLES", "READ_ROLES", "TYPE_LABELS", "BadDraftInput", "deploy_tested", "draft_changes", "draft_json",
           "export_document", "open_draft_of", "record_step", "report_json", "save_body", "test_draft", "version_pair"]

EDIT_ROLES = ("manager",)
READ_ROLES = ("manager", "auditor", "admin")
ROLE_OF_LANE = {"窓口": "madoguchi", "バックヤード": "backyard"}
# How a manager names a kind of BPMN element (the diff lists elements by name and kind, not by id and tag).
TYPE_LABELS = {"userTask": "ユーザタスク", "manualTask": "手作業タスク", "serviceTask": "サービスタスク",
               "task": "タスク", "sendTask": "送信タスク", "receiveTask": "受信タスク",
               "callActivity": "呼出しアクティビティ", "subProcess": "サブプロセス",
               "exclusiveGateway": "分岐（排他）", "parallelGateway": "分岐（並行）", "inclusiveGateway": "分岐（包含）",
               "eventBasedGateway": "分岐（イベント）", "startEvent": "開始イベント", "endEvent": "終了イベント",
               "intermediateCatchEvent": "中間イベント", "intermediateThrowEvent": "中間イベント",
               "boundaryEvent": "境界イベント", "sequenceFlow": "シーケンスフロー", "lane": "レーン",
               "laneSet": "レーンの組", "process": "プロセス", "participant": "参加者", "collaboration": "コラボレーション",
               "message": "メッセージ", "dataObject": "データ", "dataObjectReference": "データ", "form": "フォーム",
               "textAnnotation": "注釈", "association": "関連付け"}


def utc_iso(value: datetime) -> str:
    """A stored naive-UTC time as ISO 8601 with +00:00, as webui.api.schemas.iso writes it (webui.api imports
    this module, so it cannot be imported from there)."""
    return value.replace(tzinfo=UTC).isoformat()


class BadDraftInput(EngineError):
    code = "invalid_body"
    http_status = 422


def version_pair(session, process_id: str, from_id: int | None, to_id: int | None):
    """The versions to compare or migrate between (default: the newest other one → the active one).

    Raise DefinitionNotFound when the process or a named version of it does not exist.
    """
    versions = list_versions(session, process_id)
    if not versions:
        raise DefinitionNotFound(f"業務フロー「{process_id}」は登録されていません")
    by_id = {v.id: v for v in versions}
    active = next((v for v in versions if v.is_active), versions[0])
    new = by_id.get(to_id or active.id)
    old = by_id.get(from_id) if from_id else next((v for v in versions if new and v.id != new.id), new)
    if old is None or new is None:
        raise DefinitionNotFound(f"業務フロー「{process_id}」にその版はありません")
    return old, new


def export_document(definition_id: int) -> dict:
    """The export file of a version, with its stored test cases (else the shipped ones)."""
    prod = product()
    with prod.session_factory() as session:
        definition = get_definition(session, definition_id)
        cases = drafts.suite_of(session, definition.id) or shipped_document(prod.bpmn_dir, definition.process_id)
        return bundle_of(definition, cases)


def open_draft_of(definition_id: int, actor: Actor) -> int:
    """A new draft from a version; its id."""
    prod = product()
    with prod.session_factory.begin() as session:
        definition = get_definition(session, definition_id)
        draft = drafts.open_draft(session, definition, actor, shipped_document(prod.bpmn_dir, definition.process_id))
        return draft.id


def save_body(draft_id: int, actor: Actor, body: dict[str, Any]) -> list[dict]:
    """Save the edited draft from a request body {bpmn_xml, forms, cases, note}; the problems found."""
    xml, forms, cases, note = _draft_parts(body)
    prod = product()
    with prod.session_factory.begin() as session:
        draft = drafts.get_draft(session, draft_id)
        problems = drafts.save_draft(session, draft, actor, prod.handlers, bpmn_xml=xml, forms=forms, cases=cases,
                                     note=note)
    return problems + [{"element_id": None, "message": m} for m in check_case_document(cases, draft.process_id)]


def _draft_parts(body: dict[str, Any]) -> tuple[str, dict, dict, str]:
    xml, forms, cases, note = body.get("bpmn_xml"), body.get("forms"), body.get("cases"), body.get("note", "")
    if not isinstance(xml, str) or not xml.strip():
        raise BadDraftInput("bpmn_xml を文字列で指定してください")
    if not isinstance(forms, dict) or not all(isinstance(v, dict) for v in forms.values()):
        raise BadDraftInput("forms はファイル名 → フォーム定義のオブジェクトで指定してください")
    if not isinstance(cases, dict):
        raise BadDraftInput("cases はテストケース文書（{process_id, cases}）で指定してください")
    if not isinstance(note, str) or len(note) > 2000:
        raise BadDraftInput("note（変更メモ）は2000文字までの文字列で指定してください")
    return xml, forms, cases, note.strip()


def test_draft(draft_id: int, *, reuse: bool = False) -> SuiteReport:
    """Run the saved draft's cases in a sandbox (with `reuse`, an identical run's report of this process earlier
    today stands); raise DraftInvalid when it does not validate."""
    draft = _valid_draft(draft_id)
    return run_draft_cases(current_app.config, draft.bpmn_xml, json.loads(draft.forms_json),
                           json.loads(draft.cases_json), _neighbours(), reuse=reuse)


def record_step(draft_id: int, case: Any, pending: Any = None) -> tuple[dict, Replay]:
    """The recorder: add the pending step (form input as a browser sends it) and replay the case on the draft."""
    if not isinstance(case, dict) or check_case_document({"cases": [case]}, ""):
        raise BadDraftInput("記録中のケースは {id, steps: [[作業ID, 役割, データ], …]} で指定してください")
    draft = _valid_draft(draft_id)
    forms = json.loads(draft.forms_json)
    if pending is not None:
        case = {**case, "steps": [*case["steps"], _recorded_step(pending, forms)]}
    replay = replay_draft_case(current_app.config, draft.bpmn_xml, forms, case, _neighbours())
    return case, replay


def _recorded_step(pending: Any, forms: dict[str, dict]) -> list:
    days = pending.get("timers_days") if isinstance(pending, dict) else None
    if days is not None:
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 3650:
            raise BadDraftInput("進める日数は1〜3650の整数で指定してください")
        return [TIMERS_STEP, "", {"days": days}]
    if not isinstance(pending, dict) or not isinstance(pending.get("spec_name"), str) \
            or not isinstance(pending.get("values", {}), dict):
        raise BadDraftInput("記録する手順は {spec_name, role, form_file, values} で指定してください")
    form = forms.get(pending.get("form_file") or "")
    values = pending.get("values") or {}
    data = coerce_form_input(form, values) if form else {}
    role = pending.get("role") if pending.get("role") in ROLE_OF_LANE.values() else "manager"
    return [pending["spec_name"], role, {k: v for k, v in data.items() if v is not None and v != []}]


def deploy_tested(draft_id: int, actor: Actor, confirm_uncovered: bool) -> tuple[DeployResult, SuiteReport]:
    """Run the tests on the server, then deploy: refused while a case fails (the client's word is not taken; the
    server's own verdict on the identical draft, cases and neighbours is)."""
    report = test_draft(draft_id, reuse=True)
    check = drafts.DeployCheck(failed=report.failed, uncovered=report.uncovered, ran=report.ran,
                               failed_names=[f"「{r.name or r.case_id}」" for r in report.results if not r.passed])
    prod = product()
    with prod.session_factory.begin() as session:
        draft = drafts.get_draft(session, draft_id)
        result = drafts.deploy_draft(session, draft, actor, prod.handlers, check,
                                     confirm_uncovered=confirm_uncovered)
    return result, report


def draft_changes(draft_id: int) -> dict[str, Any]:
    """What deploying the saved draft changes: its elements and forms against the active version of the process
    (else the version it was opened from), named as a manager reads them."""
    with product().session_factory() as session:
        draft = drafts.get_draft(session, draft_id)
        try:
            current = active_definition(session, draft.process_id)
        except DefinitionNotFound:
            current = get_definition(session, draft.base_definition_id) if draft.base_definition_id else None
        old_xml, old_forms = (current.bpmn_xml, json.loads(current.forms_json)) if current else ("", {})
        # a version keeps only the forms its tasks name (engine.library.definitions.parse_definition): so does the diff
        new_forms = {name: form for name, form in json.loads(draft.forms_json).items() if name in draft.bpmn_xml}
        result = diff_versions(old_xml or _EMPTY_DEFINITIONS, old_forms, draft.bpmn_xml, new_forms)
        return {"against": ({"definition_id": current.id, "created_at": utc_iso(current.created_at),
                             "note": current.note, "is_active": current.is_active} if current else None),
                "is_empty": result.is_empty,
                "elements": [_change_json(c) for c in result.elements],
                "forms": [_change_json(c) for c in result.forms]}


_EMPTY_DEFINITIONS = '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>'
CHANGE_LABELS = {"added": "追加", "removed": "削除", "changed": "変更"}


def _change_json(change: ElementChange) -> dict[str, Any]:
    kind = TYPE_LABELS.get(change.type, change.type)
    return {"element_id": change.element_id, "change": change.change, "change_label": CHANGE_LABELS[change.change],
            "name": change.name or f"（名前のない{kind}）", "kind": kind, "details": change.details}


def _neighbours() -> list[tuple[str, dict]]:
    """The active versions of every process, for the sandbox (a flow may hand over to another one)."""
    with product().session_factory() as session:
        return [(d.bpmn_xml, json.loads(d.forms_json)) for d in list_active_definitions(session)]


def _valid_draft(draft_id: int) -> DefinitionDraft:
    prod = product()
    with prod.session_factory() as session:
        draft = drafts.get_draft(session, draft_id)
        _, problems = drafts.validate(draft.bpmn_xml, json.loads(draft.forms_json), prod.handlers, draft.process_id)
    if problems:
        raise drafts.DraftInvalid(f"下書きに問題があるためテストできません: {problems[0]['message']}",
                                  element_id=problems[0]["element_id"], source="draft", problems=problems)
    return draft


def check_form(name: str, document: Any) -> None:
    """Refuse a form document the engine would refuse; raise DefinitionError."""
    check_form_document(name, document)


def draft_json(draft: DefinitionDraft) -> dict[str, Any]:
    return {"id": draft.id, "process_id": draft.process_id, "title": draft.title, "status": draft.status,
            "base_definition_id": draft.base_definition_id, "note": draft.note, "bpmn_xml": draft.bpmn_xml,
            "forms": json.loads(draft.forms_json), "cases": json.loads(draft.cases_json),
            "problems": draft.problems, "updated_by": draft.updated_by,
            "updated_at": utc_iso(draft.updated_at), "deployed_definition_id": draft.deployed_definition_id}


def report_json(report: SuiteReport) -> dict[str, Any]:
    return {"passed": report.passed, "failed": report.failed, "flows": report.flows,
            "covered": sorted(report.covered), "uncovered": report.uncovered,
            "results": [{"id": r.case_id, "name": r.name, "passed": r.passed, "message": r.message,
                         "taken": sorted(r.taken)} for r in report.results]}


def replay_json(replay: Replay) -> dict[str, Any]:
    return {"status": replay.status, "end_event": replay.end_event, "message": replay.message,
            "taken": sorted(replay.taken),
            "open_tasks": [{"spec_name": t.spec_name, "title": t.title, "lane": t.lane, "form_file": t.form_file,
                            "role": ROLE_OF_LANE.get(t.lane, "manager")} for t in replay.open_tasks]}
