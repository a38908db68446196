"""Every service-task operator declares its parameters' types and ranges (handlers.parameters); the shipped flows
pass only declared parameters, with constants that fit; a constant that does not fit is refused when a definition
is read (save, deploy), naming the parameter in Japanese and the element it belongs to."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.errors import DefinitionError
from engine.library.definition_expressions import SPIFF
from engine.library.definitions import parse_definition, read_definition_files
from handlers import build_registry
from handlers.parameters import PARAMETERS, value_problem

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
REGISTRY = build_registry()


def shipped_parameters():
    """(file, element id, operator id, parameter name) for every parameter a shipped flow passes."""
    for path in sorted(BPMN.glob("*.bpmn")):
        tree = etree.parse(str(path))
        for operator in tree.iter(f"{{{SPIFF}}}serviceTaskOperator"):
            task = operator.getparent().getparent()
            for parameter in operator.iter(f"{{{SPIFF}}}parameter"):
                yield path.name, task.get("id"), operator.get("id"), parameter.get("id")


def test_every_operator_declares_every_parameter():
    undeclared = [h.operator_id for h in REGISTRY.all() if h.operator_id not in PARAMETERS]
    assert not undeclared, f"declare these operators' parameters in handlers/parameters.py: {undeclared}"
    assert set(PARAMETERS) <= {h.operator_id for h in REGISTRY.all()}, "a declaration for no operator"
    for handler in REGISTRY.all():
        for parameter in handler.parameters:
            assert parameter.schema.get("type"), f"{handler.operator_id}.{parameter.name} has no type"


def test_the_shipped_flows_pass_only_declared_parameters():
    passed = list(shipped_parameters())
    assert len(passed) > 100
    for name, element, operator, parameter in passed:
        assert parameter in PARAMETERS[operator], f"{name} {element}: {operator} does not declare {parameter}"
    for path in sorted(BPMN.glob("*.bpmn")):
        xml, forms = read_definition_files(path)
        parse_definition(xml, forms, REGISTRY)  # no constant outside its declared range


@pytest.mark.parametrize(("schema", "good", "bad", "words"), [
    ({"type": "integer", "minimum": 1, "maximum": 365}, 30, 0, "1〜365の整数"),
    ({"type": "integer", "minimum": 1, "maximum": 365}, 365, 366, "1〜365の整数"),
    ({"type": "integer"}, 3, 2.5, "整数で指定"),
    ({"type": "integer"}, 3, True, "整数で指定"),
    ({"type": "integer"}, 3, "3", "整数で指定"),
    ({"type": "number", "exclusiveMinimum": 0, "maximum": 1}, 0.1, 0, "0より大きい数値"),
    ({"type": "number", "minimum": 72, "maximum": 2400}, 600, 10, "72〜2400の数値"),
    ({"type": "string", "enum": ["self", "proxy"]}, "proxy", "other", "'self'、'proxy' のいずれか"),
    ({"type": "string"}, "x", 1, "文字列で指定"),
    ({"type": "boolean"}, False, "false", "真偽値"),
    ({"type": "object"}, {"a": 1}, [1], "オブジェクト"),
    ({"type": "array"}, [1], {"a": 1}, "リスト"),
    ({"type": "string"}, "x", None, "値がありません"),
])
def test_each_type_refuses_what_does_not_fit(schema, good, bad, words):
    assert value_problem(schema, good) is None
    problem = value_problem(schema, bad)
    assert problem is not None and words in problem, problem
    assert value_problem(schema | {"nullable": True}, None) is None


def issue_with(value: str) -> str:
    xml, _ = read_definition_files(BPMN / "shoukai_touroku.bpmn")
    shipped = '<spiffworkflow:parameter id="deadline_days" type="int" value="30" />'
    assert shipped in xml
    return xml.replace(shipped, f'<spiffworkflow:parameter id="deadline_days" type="int" value="{value}" />')


@pytest.mark.parametrize(("value", "message"), [
    ("0", "パラメータ deadline_days（照会書発行日から回答期限までの日数）は1〜365の整数で指定してください（0 が指定されています）"),
    ("366", "パラメータ deadline_days（照会書発行日から回答期限までの日数）は1〜365の整数で指定してください（366 が指定されています）"),
    ("'thirty'", "パラメータ deadline_days（照会書発行日から回答期限までの日数）は整数で指定してください（'thirty' が指定されています）"),
])
def test_a_constant_out_of_range_is_refused_on_the_element(value, message):
    _, forms = read_definition_files(BPMN / "shoukai_touroku.bpmn")
    with pytest.raises(DefinitionError) as refused:
        parse_definition(issue_with(value), forms, REGISTRY)
    assert {"element_id": "svc_issue", "message": message} in refused.value.problems


def test_an_expression_over_case_data_is_left_to_the_handler_and_an_unknown_parameter_is_refused():
    _, forms = read_definition_files(BPMN / "shoukai_touroku.bpmn")
    parse_definition(issue_with("inquiry_reason == 'x' ? 14 : 30"), forms, REGISTRY)
    xml = issue_with("30").replace('<spiffworkflow:parameter id="deadline_days" type="int" value="30" />',
                                   '<spiffworkflow:parameter id="deadline_days" type="int" value="30" />'
                                   '<spiffworkflow:parameter id="deadline_weeks" type="int" value="2" />')
    with pytest.raises(DefinitionError) as refused:
        parse_definition(xml, forms, REGISTRY)
    problem = next(p for p in refused.value.problems if p["element_id"] == "svc_issue")
    assert "パラメータ deadline_weeks はありません" in problem["message"]


def test_a_declaration_that_does_not_match_the_handler_is_refused_at_start_up():
    from handlers.base import HandlerRegistry

    def handler(ctx, days: int) -> dict:
        return {}

    with pytest.raises(ValueError, match="declared parameters"):
        HandlerRegistry().register("x.y", function_id="1", title="t", schemas={"weeks": {"type": "integer"}})(handler)
