"""Where a BPMN document holds expressions and scripts, and the checks on them at save and deploy.

Every expression is CEL (engine.library.expressions). A definition may not hold scripts at all: script tasks, preScript and
postScript are refused. What scripts used to do — clearing variables before a task — is the declarative property
`resetVariables` on a user task (names separated by spaces or commas), which the runner applies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from engine.library.expressions import expression_problems

__all__ = ["RESET_PROPERTY", "START_PROPERTY", "Expression", "expression_problems_of", "expressions_of",
           "known_variables", "reset_variables", "script_problems"]

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
OUTCOME_REASON_PROPERTY = "outcomeReason"  # on an end event: the reason shown after its outcome (engine/outcomes.py)
RESET_PROPERTY = "resetVariables"  # on a user task: variables set to null when the task comes up
START_PROPERTY = "startVariables"  # on the process: the start data it accepts besides resident_id
ALWAYS_KNOWN = frozenset({"resident_id"})  # every flow may be started for a resident (the start page's field)
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_NAMES = re.compile(r"[\s,]+")
_CONTAINERS = {f"{{{BPMN}}}{tag}" for tag in ("process", "subProcess", "transaction", "adHocSubProcess",
                                               "definitions", "collaboration")}


@dataclass(frozen=True)
class Expression:
    element_id: str
    source: str
    what: str  # how the UI names it: 条件式, パラメータ resident_id, タイマー式 …


def expressions_of(tree) -> Iterator[Expression]:
    """Every expression the engine would evaluate, with the element it belongs to."""
    for flow in tree.iter(f"{{{BPMN}}}sequenceFlow"):
        yield from _texts(flow, [f"{{{BPMN}}}conditionExpression"], "条件式")
    for operator in tree.iter(f"{{{SPIFF}}}serviceTaskOperator"):
        owner = _owner_id(operator)
        for parameter in operator.iter(f"{{{SPIFF}}}parameter"):
            yield Expression(owner, parameter.get("value") or "", f"パラメータ {parameter.get('id')}")
    for timer in tree.iter(f"{{{BPMN}}}timerEventDefinition"):
        for kind in ("timeDate", "timeDuration", "timeCycle"):
            for element in timer.iter(f"{{{BPMN}}}{kind}"):
                yield Expression(_owner_id(timer), element.text or "", "タイマー式")
    for retrieval in tree.iter(f"{{{BPMN}}}correlationPropertyRetrievalExpression"):
        owner = retrieval.getparent().get("id") or ""
        yield from _texts(retrieval, [f"{{{BPMN}}}messagePath", f"{{{BPMN}}}formalExpression"], "相関キー", owner)
    for conditional in tree.iter(f"{{{BPMN}}}conditionalEventDefinition"):
        yield from _texts(conditional, [f"{{{BPMN}}}condition"], "条件イベントの条件式", _owner_id(conditional))
    for loop in tree.iter(f"{{{BPMN}}}multiInstanceLoopCharacteristics"):
        tags = [f"{{{BPMN}}}loopCardinality", f"{{{BPMN}}}completionCondition"]
        yield from _texts(loop, tags, "繰り返しの式", _owner_id(loop))
    for payload in tree.iter(f"{{{SPIFF}}}messagePayload"):
        yield Expression(_owner_id(payload), payload.text or "", "メッセージの内容")
    for element, value in _properties(tree, OUTCOME_REASON_PROPERTY):
        yield Expression(element.get("id") or "", value, "終了の理由の式")


def script_problems(tree) -> list[dict]:
    """Scripts are refused wherever they appear: script tasks, preScript and postScript."""
    problems = []
    for task in tree.iter(f"{{{BPMN}}}scriptTask"):
        problems.append({"element_id": task.get("id"),
                         "message": "スクリプトタスクは使用できません（サービスタスクか条件式にしてください）"})
    for tag, label in (("preScript", "preScript"), ("postScript", "postScript")):
        for element in tree.iter(f"{{{SPIFF}}}{tag}"):
            problems.append({"element_id": _owner_id(element),
                             "message": f"{label}（スクリプト）は使用できません。変数を空にするには "
                                        f"{RESET_PROPERTY} プロパティを使ってください"})
    for element, value in _properties(tree, RESET_PROPERTY):
        bad = [name for name in _names(value) if not VARIABLE.match(name)]
        if element.tag not in (f"{{{BPMN}}}userTask", f"{{{BPMN}}}manualTask"):
            problems.append({"element_id": element.get("id"),
                             "message": f"{RESET_PROPERTY} はユーザタスクにだけ指定できます"})
        elif bad or not _names(value):
            problems.append({"element_id": element.get("id"),
                             "message": f"{RESET_PROPERTY} の変数名が不正です: {', '.join(bad) or '（空）'}"})
    return problems


def expression_problems_of(tree, known: frozenset[str] | None) -> list[dict]:
    """Each expression that does not compile, is too long, calls an unknown function or (with `known`) reads a
    variable the definition never sets."""
    problems = []
    for expression in expressions_of(tree):
        for problem in expression_problems(expression.source, known):
            problems.append({"element_id": expression.element_id,
                             "message": f"{expression.what}「{_shorten(expression.source)}」: {problem}"})
    return problems


def known_variables(tree, forms: dict[str, dict]) -> frozenset[str]:
    """Every variable the definition can set: form fields, service results, message variables, data objects,
    reset variables and the declared start data."""
    names = set(ALWAYS_KNOWN)
    for form in forms.values():
        names.update((form.get("schema") or {}).get("properties", {}))
    for operator in tree.iter(f"{{{SPIFF}}}serviceTaskOperator"):
        if operator.get("resultVariable"):
            names.add(operator.get("resultVariable"))
    names.update((element.text or "").strip() for element in tree.iter(f"{{{SPIFF}}}messageVariable"))
    names.update(element.get("id") for element in tree.iter(f"{{{BPMN}}}dataObject"))
    for _, value in _properties(tree, RESET_PROPERTY):
        names.update(_names(value))
    for _, value in _properties(tree, START_PROPERTY):
        names.update(_names(value))
    return frozenset(name for name in names if name)


def reset_variables(task_spec) -> tuple[str, ...]:
    """The variables a user task clears when it comes up (its resetVariables property)."""
    value = (getattr(task_spec, "extensions", None) or {}).get("properties", {}).get(RESET_PROPERTY)
    return tuple(_names(value)) if value else ()


def _properties(tree, name: str):
    """(owning BPMN element, value) of each spiffworkflow:property with this name."""
    for prop in tree.iter(f"{{{SPIFF}}}property"):
        if prop.get("name") == name:
            element = prop.getparent().getparent().getparent()  # property → properties → extensionElements → owner
            yield element, prop.get("value") or ""


def _names(value: str | None) -> list[str]:
    return [name for name in _NAMES.split(value or "") if name]


def _texts(parent, tags: list[str], what: str, owner: str | None = None) -> Iterator[Expression]:
    for tag in tags:
        for element in parent.iter(tag):
            if (element.text or "").strip():
                yield Expression(owner or _owner_id(parent), element.text.strip(), what)


def _owner_id(element) -> str:
    """The id of the diagram element holding `element` (a task, an event, a flow: what the modeler outlines)."""
    while element is not None and element.getparent() is not None \
            and element.getparent().tag not in _CONTAINERS:
        element = element.getparent()
    return (element.get("id") or "") if element is not None else ""


def _shorten(source: str, limit: int = 80) -> str:
    return source if len(source) <= limit else source[: limit - 1] + "…"
