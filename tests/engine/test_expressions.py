"""CEL expressions as the engine evaluates them: plain JSON in and out, absent is null, bounded source."""

from __future__ import annotations

import pytest

from engine.library.definition_expressions import known_variables
from engine.library.expressions import (
    ExpressionError,
    evaluate,
    evaluate_condition,
    expression_problems,
)


def test_conditions_over_task_data():
    data = {"eligibility": {"eligible": True, "reason": None}, "applicant": "self", "copies": 3}
    assert evaluate_condition("eligibility.eligible && applicant == 'self'", data) is True
    assert evaluate_condition("eligibility.reason == null", data) is True
    assert evaluate_condition("copies >= 1 && copies <= 10", data) is True
    assert evaluate_condition("applicant in ['self', 'proxy']", data) is True


def test_a_variable_the_data_does_not_hold_is_null():
    assert evaluate_condition("override_reason == null", {}) is True
    assert evaluate_condition("override_reason != null && override_reason.trim() != ''", {}) is False


def test_results_are_plain_json():
    assert evaluate("timestamp('2026-01-01T00:00:00Z') + duration('720h')", {}) == "2026-01-31T00:00:00+00:00"
    assert evaluate("duration('90s')", {}) == "PT90S"
    assert evaluate("r.map(x, x.m).join('; ')", {"r": [{"m": "a"}, {"m": "b"}]}) == "a; b"
    assert evaluate("{'k': [1, 2.5, true, null]}", {}) == {"k": [1, 2.5, True, None]}


@pytest.mark.parametrize(("source", "words"), [
    ("eligibility.eligible &&", "CELの式として読めません（1行"),
    ("true && " * 400 + "true", "式が長すぎます"),
    ("(" * 30 + "true" + ")" * 30, "入れ子が深すぎます"),
    ("[1].map(a, [1].map(b, [1].map(c, [1].map(d, d))))", "map / filter"),
    ("'a'.replace('a', 'aa')", "使用できない関数です: replace"),
    ("lists.range(100000000)", "使用できない関数"),
    ("", "式が空です"),
])
def test_what_is_refused_at_save(source, words):
    assert any(words in problem for problem in expression_problems(source)), expression_problems(source)


def test_an_unknown_variable_is_reported_against_the_definitions_variables():
    assert expression_problems("eligibilty.eligible", {"eligibility"}) == ["定義にない変数です: eligibilty"]
    assert expression_problems("r.exists(x, x.ok)", {"r"}) == []  # x is bound by the macro, not a variable
    assert expression_problems("type(a) == int", {"a"}) == []


def test_evaluation_errors_are_expression_errors_with_a_japanese_message():
    with pytest.raises(ExpressionError, match="評価できません"):
        evaluate("a.b", {"a": None})
    with pytest.raises(ExpressionError, match="真偽値ではありません"):
        evaluate_condition("1 + 1", {})
    with pytest.raises(ExpressionError, match="評価できません"):
        evaluate("1 / 0", {})


def test_host_objects_never_reach_an_expression():
    with pytest.raises(ExpressionError, match="式に渡せる値ではありません"):
        evaluate("x", {"x": object()})


def test_the_known_variables_of_a_definition():
    from lxml import etree

    xml = """<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
      xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"><bpmn:process id="p">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="startVariables" value="handover, channel" /></spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:userTask id="t"><bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="resetVariables" value="note" /></spiffworkflow:properties></bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:serviceTask id="s"><bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="op" resultVariable="result" /></bpmn:extensionElements></bpmn:serviceTask>
      </bpmn:process></bpmn:definitions>"""
    forms = {"f.json": {"schema": {"type": "object", "properties": {"answer": {"type": "string"}}}}}
    known = known_variables(etree.ElementTree(etree.fromstring(xml)), forms)
    assert known == {"resident_id", "handover", "channel", "note", "result", "answer"}
