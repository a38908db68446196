"""Definition drafts: open a version for editing, save with validation, deploy after tests, roll back.

EngineError
├── DraftNotFound        draft_not_found     — no such draft
├── DraftClosed          draft_closed        — the draft was already deployed or discarded
├── DraftInvalid         invalid_definition  — the draft does not pass parse_definition (problems listed)
├── TestsFailed          tests_failed        — a test case failed or none ran: deploy refused
└── UncoveredFlows       uncovered_flows     — some sequence flows no case took: deploy needs confirmation
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.db import utcnow
from engine.errors import DefinitionError, EngineError
from engine.evidence import audit
from engine.library import catalog
from engine.library.definitions import ParsedDefinition, parse_definition
from engine.library.draft_models import DefinitionDraft, DefinitionSuite, DraftStatus
from engine.models import ProcessDefinition
from handlers.base import HandlerRegistry

__all__ = ["DeployCheck", "DraftClosed", "DraftInvalid", "DraftNotFound", "TestsFailed", "UncoveredFlows",
           "activate_version", "deploy_draft", "discard_draft", "get_draft", "list_drafts",
           "open_draft", "save_draft", "suite_of", "validate"]


class DraftNotFound(EngineError):
    code = "draft_not_found"
    http_status = 404


class DraftClosed(EngineError):
    code = "draft_closed"
    http_status = 409


class DraftInvalid(DefinitionError):
    """Same code as a refused upload: the client shows the problems the same way."""


class TestsFailed(EngineError):
    code = "tests_failed"
    http_status = 409


class UncoveredFlows(EngineError):
    code = "uncovered_flows"
    http_status = 409


@dataclass
class DeployCheck:
    """What the test run of a draft found, as deploy needs it."""

    failed: list[str] = field(default_factory=list)  # case ids
    uncovered: list[str] = field(default_factory=list)  # sequence flow ids
    ran: int = 0
    failed_names: list[str] = field(default_factory=list)  # the failed cases as a manager reads them (their names)


def validate(bpmn_xml: str, forms: dict[str, dict], handlers: HandlerRegistry,
             process_id: str | None = None) -> tuple[ParsedDefinition | None, list[dict]]:
    """Every problem of a definition as [{element_id, message}]; the parsed definition when there is none."""
    try:
        parsed = parse_definition(bpmn_xml, forms, handlers, source="draft")
    except DefinitionError as exc:
        return None, [{"element_id": p.get("element_id"), "message": p["message"]} for p in exc.problems]
    if process_id and parsed.process_id != process_id:
        return None, [{"element_id": parsed.process_id,
                       "message": f"プロセスIDは「{process_id}」のままにしてください（別の業務は読込で追加します）"}]
    return parsed, []


def open_draft(session: Session, definition: ProcessDefinition, actor: Actor, default_cases: dict) -> DefinitionDraft:
    """A new draft holding a copy of `definition`, with its stored test cases (else `default_cases`)."""
    suite = suite_of(session, definition.id)
    cases = suite if suite is not None else default_cases
    draft = DefinitionDraft(process_id=definition.process_id, base_definition_id=definition.id, title=definition.name,
                            bpmn_xml=definition.bpmn_xml, forms_json=definition.forms_json,
                            cases_json=json.dumps(cases, ensure_ascii=False), created_by=actor.username,
                            updated_by=actor.username)
    session.add(draft)
    session.flush()
    audit.record(session, actor, "draft_open", title=definition.name,
                 summary={"draft_id": draft.id, "process_id": draft.process_id,
                          "base_version": definition.content_hash[:12]})
    return draft


def save_draft(session: Session, draft: DefinitionDraft, actor: Actor, handlers: HandlerRegistry, *,
               bpmn_xml: str, forms: dict[str, dict], cases: dict, note: str) -> list[dict]:
    """Store the edited draft even when invalid (work is never lost); return the problems found."""
    _require_open(draft)
    parsed, problems = validate(bpmn_xml, forms, handlers, draft.process_id)
    draft.bpmn_xml, draft.forms_json = bpmn_xml, json.dumps(forms, ensure_ascii=False, sort_keys=True)
    draft.cases_json = json.dumps(cases, ensure_ascii=False)
    draft.note, draft.title = note, parsed.name if parsed else draft.title
    draft.problems_json = json.dumps(problems, ensure_ascii=False)
    draft.updated_by, draft.updated_at = actor.username, utcnow()
    session.flush()
    audit.record(session, actor, "draft_save", title=draft.title,
                 summary={"draft_id": draft.id, "process_id": draft.process_id, "problems": len(problems),
                          "version": parsed.content_hash[:12] if parsed else None, "note": note})
    return problems


def deploy_draft(session: Session, draft: DefinitionDraft, actor: Actor, handlers: HandlerRegistry,
                 check: DeployCheck, *, confirm_uncovered: bool) -> catalog.DeployResult:
    """Make the draft the active version for new instances; raise DraftInvalid, TestsFailed or UncoveredFlows."""
    _require_open(draft)
    parsed, problems = validate(draft.bpmn_xml, json.loads(draft.forms_json), handlers, draft.process_id)
    if parsed is None:
        raise DraftInvalid(f"{problems[0]['element_id'] or ''}: {problems[0]['message']}",
                           element_id=problems[0]["element_id"], source="draft", problems=problems)
    if not check.ran or check.failed:
        failed = "、".join(check.failed_names or check.failed) or "（テストケースがありません）"
        raise TestsFailed(f"テストが通っていないため反映できません: {failed}", failed=check.failed)
    if check.uncovered and not confirm_uncovered:
        raise UncoveredFlows(f"どのテストも通らないシーケンスフローが {len(check.uncovered)} 本あります。"
                             "確認のうえ反映してください", uncovered=check.uncovered)
    result = catalog.deploy(session, parsed, actor=actor.username, source=f"draft:{draft.id}",
                            note=draft.note or "画面で編集")
    assert result.definition_id is not None  # deploy() answers with the version it stored or found
    _keep_suite(session, result.definition_id, draft.cases_json)
    draft.status, draft.deployed_definition_id = DraftStatus.DEPLOYED, result.definition_id
    audit.record(session, actor, "definition_deploy", title=draft.title,
                 summary={"draft_id": draft.id, "process_id": draft.process_id, "version": parsed.content_hash[:12],
                          "status": result.status, "note": draft.note, "cases": check.ran,
                          "uncovered_confirmed": check.uncovered})
    return result


def discard_draft(session: Session, draft: DefinitionDraft, actor: Actor) -> None:
    _require_open(draft)
    draft.status = DraftStatus.DISCARDED
    audit.record(session, actor, "draft_discard", title=draft.title,
                 summary={"draft_id": draft.id, "process_id": draft.process_id})


def activate_version(session: Session, definition: ProcessDefinition, actor: Actor) -> None:
    """Roll back (or forward): new instances start on `definition`; running ones stay where they are."""
    previous = catalog.active_definition(session, definition.process_id)
    session.execute(update(ProcessDefinition).where(ProcessDefinition.process_id == definition.process_id)
                    .values(is_active=False))
    definition.is_active = True
    session.flush()
    audit.record(session, actor, "definition_activate", title=definition.name,
                 summary={"process_id": definition.process_id, "from": previous.content_hash[:12],
                          "to": definition.content_hash[:12]})


def _keep_suite(session: Session, definition_id: int, cases_json: str) -> None:
    suite = session.scalars(select(DefinitionSuite).where(DefinitionSuite.definition_id == definition_id)).first()
    if suite is None:
        session.add(DefinitionSuite(definition_id=definition_id, cases_json=cases_json))
    else:
        suite.cases_json = cases_json
    session.flush()


def suite_of(session: Session, definition_id: int) -> dict | None:
    """The test cases stored with a version, or None."""
    suite = session.scalars(select(DefinitionSuite).where(DefinitionSuite.definition_id == definition_id)).first()
    return json.loads(suite.cases_json) if suite is not None else None


def get_draft(session: Session, draft_id: int) -> DefinitionDraft:
    draft = session.get(DefinitionDraft, draft_id)
    if draft is None:
        raise DraftNotFound(f"下書き {draft_id} は存在しません")
    return draft


def list_drafts(session: Session, process_id: str | None = None) -> list[DefinitionDraft]:
    """Open drafts, newest first."""
    query = select(DefinitionDraft).where(DefinitionDraft.status == DraftStatus.OPEN)
    if process_id:
        query = query.where(DefinitionDraft.process_id == process_id)
    return list(session.scalars(query.order_by(DefinitionDraft.updated_at.desc(), DefinitionDraft.id.desc())))


def _require_open(draft: DefinitionDraft) -> None:
    if draft.status != DraftStatus.OPEN:
        label = "反映済み" if draft.status == DraftStatus.DEPLOYED else "破棄済み"
        raise DraftClosed(f"下書き {draft.id} は{label}です。新しい下書きを作成してください")
