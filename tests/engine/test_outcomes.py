"""Outcomes (issue 15.2): every end event of every shipped flow says how a case ending there ended; a definition
with an unknown outcome or a bad reason expression is refused at save; a case's outcome is stored when it ends."""

from __future__ import annotations

from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.specs.defaults import EndEvent

from engine.errors import DefinitionError
from engine.library.definitions import parse_definition, read_definition_files
from engine.outcomes import OUTCOMES, Outcome, declared_outcome, outcome_text
from engine.runtime.endings import outcome_of_end
from tests.engine.conftest import DATA, Flaky, mini_handlers

SHIPPED = sorted((Path(__file__).parents[2] / "bpmn").glob("*.bpmn"))
MINI_XML, MINI_FORMS = read_definition_files(DATA / "mini.bpmn")
MINI_END = '<bpmn:endEvent id="end_mini"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>'


def _with_end_properties(properties: str) -> str:
    return MINI_XML.replace(MINI_END, '<bpmn:endEvent id="end_mini"><bpmn:extensionElements><spiffworkflow:properties>'
                            f'{properties}</spiffworkflow:properties></bpmn:extensionElements>'
                            '<bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>')


def test_twelve_flows_are_shipped():
    assert len(SHIPPED) == 12


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_end_event_of_a_shipped_flow_declares_its_outcome(path: Path):
    xml, forms = read_definition_files(path)
    parsed = parse_definition(xml, forms, None, source=path.name)
    ends = [ts for spec in [parsed.spec, *parsed.subprocess_specs.values()]
            for ts in spec.task_specs.values() if isinstance(ts, EndEvent)]
    assert ends
    for end in ends:
        code, label = declared_outcome(end)
        assert code in OUTCOMES, f"{path.stem}/{end.bpmn_id}: outcome {code!r}"
        assert label and label != "完了", f"{path.stem}/{end.bpmn_id}: label {label!r}"


def test_an_unknown_outcome_is_refused_naming_the_end_event():
    assert "xmlns:spiffworkflow" in MINI_XML
    xml = _with_end_properties('<spiffworkflow:property name="outcome" value="done" />')
    with pytest.raises(DefinitionError) as refused:
        parse_definition(xml, MINI_FORMS, mini_handlers(Flaky()))
    assert refused.value.element_id == "end_mini" and "outcome" in refused.value.message


def test_a_reason_expression_that_does_not_compile_is_refused():
    xml = _with_end_properties('<spiffworkflow:property name="outcome" value="refused" />'
                               '<spiffworkflow:property name="outcomeReason" value="refusal.(" />')
    with pytest.raises(DefinitionError) as refused:
        parse_definition(xml, MINI_FORMS, mini_handlers(Flaky()))
    assert refused.value.element_id == "end_mini" and "終了の理由の式" in refused.value.message


class _Task:
    def __init__(self, spec, data):
        self.task_spec, self.data = spec, data


def test_the_outcome_reads_label_and_reason_from_the_end_event_and_its_data():
    xml, forms = read_definition_files(Path(__file__).parents[2] / "bpmn" / "sokuji_touroku.bpmn")
    spec = parse_definition(xml, forms, None).spec
    refused = outcome_of_end(_Task(spec.task_specs["end_refused"], {"refusal": {"label": "登録済み"}}))
    assert refused == Outcome("refused", "却下", "登録済み") and refused.text == "却下（登録済み）"
    # a reason the data cannot give is left out: the case ended all the same
    assert outcome_of_end(_Task(spec.task_specs["end_refused"], {})).text == "却下"
    assert outcome_of_end(_Task(spec.task_specs["end_registered"], {})).text == "登録完了"
    assert outcome_of_end(_Task(spec.task_specs["end_to_inquiry"], {})).text == "照会へ移行"


def test_an_end_event_without_outcome_reads_as_its_name():
    xml = MINI_XML.replace('<bpmn:endEvent id="end_mini">', '<bpmn:endEvent id="end_mini" name="受付終了">')
    spec = parse_definition(xml, MINI_FORMS, None).spec
    assert outcome_of_end(_Task(spec.task_specs["end_mini"], {})) == Outcome("ended", "受付終了")
    assert outcome_text(None, None) == ""
