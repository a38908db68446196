"""Process definitions: validate a BPMN file with its forms, version it by content hash, load the bpmn/ folder."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import ManualTask, ServiceTask, UserTask

from engine.errors import DefinitionError
from engine.library.definition_expressions import expression_problems_of, known_variables, script_problems
from engine.library.expressions import ExpressionError, compile_expression, evaluate
from engine.library.forms import check_form_document
from engine.outcomes import outcome_problems
from handlers.base import HandlerRegistry

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
RESERVED_ID = re.compile(r"^(Start|End)$|\.(EndJoin|BoundaryEventSplit|BoundaryEventJoin)$")
FORM_PROPERTY = "formJsonSchemaFilename"
# On an approval user task: the id of the user task whose clerk may not approve (four-eyes, e.g. 4.2.1 職権抹消)
APPROVAL_PROPERTY = "approvalOf"
# On a user task: the operator id of a handler that checks the submitted form against the task data (a 4xx, not an
# incident, when it refuses), e.g. 4.1.1.1's shown name against the 住民票
FORM_CHECK_PROPERTY = "formCheck"

_validator: BpmnValidator | None = None


@dataclass
class ParsedDefinition:
    """A definition that passed every check, ready to store or run."""

    process_id: str
    name: str
    bpmn_xml: str
    forms: dict[str, dict]
    content_hash: str
    spec: object = field(repr=False)
    subprocess_specs: dict = field(repr=False, default_factory=dict)


def form_file_of(task_spec) -> str | None:
    """The form file a user task names, if any."""
    return (getattr(task_spec, "extensions", None) or {}).get("properties", {}).get(FORM_PROPERTY)


def approval_of(task_spec) -> str | None:
    """The user task an approval task checks (its clerk may not approve), if the task is one."""
    return (getattr(task_spec, "extensions", None) or {}).get("properties", {}).get(APPROVAL_PROPERTY)


def form_check_of(task_spec) -> str | None:
    """The operator id of the handler that checks the user task's submitted form, if any."""
    return (getattr(task_spec, "extensions", None) or {}).get("properties", {}).get(FORM_CHECK_PROPERTY)


def is_human(task_spec) -> bool:
    return isinstance(task_spec, UserTask | ManualTask)


def parse_definition(bpmn_xml: str, forms: dict[str, dict], handlers: HandlerRegistry | None,
                     source: str = "<upload>") -> ParsedDefinition:
    """Run every check on a BPMN document and its forms; raise DefinitionError naming the element and reason.

    Without `handlers` the operator ids are not checked: for re-reading a definition that was checked at deploy.
    """
    tree = _parse_xml(bpmn_xml, source)
    _check_xsd(tree, source)
    _check_reserved_ids(tree, source)
    parser = SpiffBpmnParser()
    try:
        parser.add_bpmn_xml(tree, filename=source)
        process_ids = _executable_process_ids(tree)
        if len(process_ids) != 1:
            raise DefinitionError("実行可能なプロセスは1ファイルに1つだけ定義してください", source=source)
        process_id = process_ids[0]
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise DefinitionError(f"BPMNを解釈できません: {exc}", element_id=exc.id or None, source=source) from None
    except SpiffWorkflowException as exc:
        raise DefinitionError(f"BPMNを解釈できません: {exc}", source=source) from None
    all_specs = [spec, *subprocess_specs.values()]
    problems = []
    for wf_spec in all_specs:
        for task_spec in wf_spec.task_specs.values():
            problems.extend(_check_task(task_spec, forms, handlers))
            problems.extend(_check_approval(task_spec, wf_spec.task_specs))
            if isinstance(task_spec, EndEvent):
                problems.extend(outcome_problems(task_spec.bpmn_id, (getattr(task_spec, "extensions", None) or {})
                                                 .get("properties", {}) or {}))
    problems.extend(script_problems(tree))
    used_forms = {name: forms[name] for name in sorted(_form_names(all_specs)) if name in forms}
    known = known_variables(tree, used_forms) if handlers is not None else None
    problems.extend(expression_problems_of(tree, known))
    if problems:
        first = problems[0]
        raise DefinitionError(f"{first['element_id']}: {first['message']}", element_id=first["element_id"],
                              source=source, problems=problems)
    return ParsedDefinition(process_id, spec.description or process_id, bpmn_xml, used_forms,
                            content_hash(bpmn_xml, used_forms), spec, subprocess_specs)


def content_hash(bpmn_xml: str, forms: dict[str, dict]) -> str:
    """The version of a definition: SHA-256 over the XML and the forms it uses."""
    digest = hashlib.sha256(bpmn_xml.encode("utf-8"))
    digest.update(json.dumps(forms, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def read_definition_files(bpmn_path: Path) -> tuple[str, dict[str, dict]]:
    """Read a .bpmn file and every form file beside it in forms/; raise DefinitionError on unreadable JSON."""
    return bpmn_path.read_text(encoding="utf-8"), read_forms(bpmn_path.parent / "forms")


def read_forms(forms_dir: Path) -> dict[str, dict]:
    """Every forms_dir/*.json by file name; raise DefinitionError on unreadable JSON."""
    forms: dict[str, dict] = {}
    for form_path in sorted(forms_dir.glob("*.json")) if forms_dir.is_dir() else []:
        try:
            forms[form_path.name] = json.loads(form_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DefinitionError(f"フォーム {form_path.name} がJSONとして読めません: {exc}",
                                  source=form_path.name) from None
    return forms


def _parse_xml(bpmn_xml: str, source: str) -> etree._ElementTree:
    try:
        return etree.ElementTree(etree.fromstring(bpmn_xml.encode("utf-8")))
    except etree.XMLSyntaxError as exc:
        raise DefinitionError(f"XMLとして読めません（{exc.lineno}行目）: {exc.msg}", source=source) from None


def _check_xsd(tree, source: str) -> None:
    global _validator
    _validator = _validator or BpmnValidator()
    try:
        _validator.validator.assertValid(tree)
    except etree.DocumentInvalid:
        error = _validator.validator.error_log.last_error
        element_id = _element_id_at_line(tree, error.line)
        raise DefinitionError(f"BPMNスキーマ(XSD)に違反しています（{error.line}行目）: {error.message}",
                              element_id=element_id, source=source) from None


def _element_id_at_line(tree, line: int) -> str | None:
    for element in tree.iter():
        if getattr(element, "sourceline", None) == line:
            while element is not None and element.get("id") is None:
                element = element.getparent()
            return element.get("id") if element is not None else None
    return None


def _check_reserved_ids(tree, source: str) -> None:
    for element in tree.iter():
        element_id = element.get("id") if isinstance(element.tag, str) else None
        if element_id and RESERVED_ID.search(element_id):
            raise DefinitionError(f"要素ID「{element_id}」は予約されているため使えません", element_id=element_id,
                                  source=source)


def _executable_process_ids(tree) -> list[str]:
    return [p.get("id") for p in tree.iter(f"{{{BPMN_NS}}}process") if p.get("isExecutable") == "true"]


def _check_task(task_spec, forms: dict[str, dict], handlers: HandlerRegistry | None) -> list[dict]:
    element_id = task_spec.bpmn_id
    problems = []
    if isinstance(task_spec, ServiceTask) and handlers is not None:
        problems.extend(_check_service(task_spec, handlers))
    if is_human(task_spec):
        if not getattr(task_spec, "lane", None):
            problems.append({"element_id": element_id, "message": "ユーザタスクがレーンに属していません"})
        form = form_file_of(task_spec)
        if isinstance(task_spec, UserTask) and not form:
            problems.append({"element_id": element_id, "message": "ユーザタスクにフォームが指定されていません"})
        elif form and form not in forms:
            problems.append({"element_id": element_id, "message": f"フォーム {form} が見つかりません"})
        elif form:
            try:
                check_form_document(form, forms[form])
            except DefinitionError as exc:
                problems.append({"element_id": element_id, "message": exc.message})
    problems.extend(_check_form_check(task_spec, handlers))
    if isinstance(task_spec, CatchingEvent) and element_id and not getattr(task_spec, "lane", True):
        problems.append({"element_id": element_id, "message": "イベントがレーンに属していません"})
    return problems


def _check_form_check(task_spec, handlers: HandlerRegistry | None) -> list[dict]:
    operator = form_check_of(task_spec)
    if operator is None:
        return []
    if not isinstance(task_spec, UserTask):
        return [{"element_id": task_spec.bpmn_id, "message": "フォームの確認（formCheck）はユーザタスクにだけ指定できます"}]
    if handlers is not None and operator not in handlers:
        return [{"element_id": task_spec.bpmn_id,
                 "message": f"フォームの確認（formCheck）のハンドラ「{operator}」が登録されていません"}]
    return []


def _check_approval(task_spec, siblings: dict) -> list[dict]:
    requested_by = approval_of(task_spec)
    if requested_by is None:
        return []
    if not isinstance(task_spec, UserTask):
        return [{"element_id": task_spec.bpmn_id, "message": "承認（approvalOf）はユーザタスクにだけ指定できます"}]
    if requested_by == task_spec.bpmn_id or not isinstance(siblings.get(requested_by), UserTask):
        return [{"element_id": task_spec.bpmn_id,
                 "message": f"承認対象のタスク {requested_by} が同じプロセスのユーザタスクにありません"}]
    return []


def _check_service(task_spec, handlers: HandlerRegistry) -> list[dict]:
    element_id = task_spec.bpmn_id
    operator = task_spec.operation_name
    if not operator:
        return [{"element_id": element_id, "message": "サービスタスクに operator が指定されていません"}]
    if operator not in handlers:
        return [{"element_id": element_id, "message": f"サービス「{operator}」のハンドラが登録されていません"}]
    given = task_spec.operation_params or {}
    handler = handlers.get(operator)
    problems = [{"element_id": element_id, "message": f"サービス「{handler.title}」のパラメータ {parameter.name} がありません"}
                for parameter in handler.parameters if parameter.required and parameter.name not in given]
    declared = {parameter.name: parameter for parameter in handler.parameters}
    for name, spec in given.items():
        parameter = declared.get(name)
        if parameter is None:
            known = "、".join(declared) or "なし"
            problems.append({"element_id": element_id,
                             "message": f"サービス「{handler.title}」にパラメータ {name} はありません（使えるのは {known}）"})
        elif (problem := _constant_problem(parameter, (spec or {}).get("value"))) is not None:
            problems.append({"element_id": element_id, "message": problem})
    return problems


def _constant_problem(parameter, source: str | None) -> str | None:
    """A parameter written as a constant (`30`, `'self'`) is checked against the operator's declaration now, not
    when a case reaches the task. An expression reading case data is checked by the handler when it runs; a
    malformed one is reported by the expression check."""
    try:
        if compile_expression(source or "").variables:
            return None
        value = evaluate(source or "", {})
    except ExpressionError:
        return None
    problem = parameter.problem(value)
    if problem is None:
        return None
    title = parameter.schema.get("title")
    return f"パラメータ {parameter.name}{f'（{title}）' if title else ''}は{problem}"


@lru_cache(maxsize=32)
def element_names(bpmn_xml: str) -> dict[str, str]:
    """Element id → name (whitespace folded) for every named element: how pages and test verdicts name them."""
    root = etree.fromstring(bpmn_xml.encode("utf-8"))
    return {el.get("id"): " ".join(el.get("name").split()) for el in root.iter()
            if isinstance(el.tag, str) and el.get("id") and (el.get("name") or "").strip()}


def _form_names(specs) -> set[str]:
    return {name for wf_spec in specs for ts in wf_spec.task_specs.values() if (name := form_file_of(ts))}
