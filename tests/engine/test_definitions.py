"""Loading definitions: every check refuses with the element id and a reason; versions by content hash."""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import func, select

from engine.actor import Actor
from engine.errors import DefinitionError
from engine.library.catalog import active_definition, deploy, deploy_directory
from engine.library.definitions import parse_definition, read_definition_files
from engine.models import ProcessDefinition, ProcessInstance
from tests.engine.conftest import DATA, Flaky, mini_handlers

XML, FORMS = read_definition_files(DATA / "mini.bpmn")
HANDLERS = mini_handlers(Flaky())


def refuse(xml=XML, forms=FORMS, handlers=HANDLERS) -> DefinitionError:
    with pytest.raises(DefinitionError) as refused:
        parse_definition(xml, forms, handlers, source="test.bpmn")
    assert refused.value.http_status == 422
    return refused.value


def test_the_good_definition_parses():
    parsed = parse_definition(XML, FORMS, HANDLERS)
    assert parsed.process_id == "mini" and parsed.name == "テスト用フロー"
    assert set(parsed.forms) == {"mini.enter.json", "mini.check.json"}


def test_malformed_xml():
    error = refuse(XML.replace("</bpmn:process>", ""))
    assert "XMLとして読めません" in error.message


def test_xsd_violation_names_the_element():
    error = refuse(XML.replace('<bpmn:userTask id="task_enter" name="入力">',
                               '<bpmn:userTask id="task_enter" name="入力" priority="high">'))
    assert error.element_id == "task_enter"
    assert "XSD" in error.message


def test_unknown_operator_names_the_service_task():
    error = refuse(XML.replace('id="test.flaky"', 'id="test.unknown"'))
    assert error.element_id == "svc_flaky"
    assert "test.unknown" in error.message


def test_missing_handler_parameter():
    error = refuse(XML.replace('<spiffworkflow:parameter id="amount" type="int" value="amount" />', ""))
    assert error.element_id == "svc_flaky" and "amount" in error.message


def test_missing_form_file():
    error = refuse(forms={"mini.enter.json": FORMS["mini.enter.json"]})
    assert error.element_id == "task_check" and "mini.check.json" in error.message


def test_invalid_json_schema_form():
    broken = json.loads(json.dumps(FORMS))
    broken["mini.enter.json"]["schema"]["properties"]["amount"]["type"] = "money"
    error = refuse(forms=broken)
    assert error.element_id == "task_enter" and "JSON Schema" in error.message


def test_reserved_id():
    error = refuse(XML.replace('"end_mini"', '"End"'))
    assert error.element_id == "End" and "予約" in error.message


def test_unsafe_condition_expression():
    unsafe = XML.replace('<bpmn:sequenceFlow id="f4" sourceRef="task_check" targetRef="end_mini" />',
                         '<bpmn:sequenceFlow id="f4" sourceRef="task_check" targetRef="end_mini">'
                         "<bpmn:conditionExpression>().__class__.__bases__</bpmn:conditionExpression>"
                         "</bpmn:sequenceFlow>")
    error = refuse(unsafe)
    assert error.element_id == "f4" and "__class__" in error.message


def test_user_task_outside_any_lane():
    error = refuse(XML.replace("<bpmn:flowNodeRef>task_check</bpmn:flowNodeRef>", ""))
    assert error.element_id == "task_check" and "レーン" in error.message


def test_a_bad_file_in_the_folder_is_refused_and_nothing_of_it_is_stored(product, tmp_path):
    shutil.copytree(DATA, tmp_path / "bpmn")
    (tmp_path / "bpmn" / "broken.bpmn").write_text(XML.replace('id="mini"', 'id="broken"').replace(
        'id="test.flaky"', 'id="no.such.operator"'), encoding="utf-8")
    with product.session_factory.begin() as session:
        results = {r.source: r for r in deploy_directory(session, tmp_path / "bpmn", HANDLERS, actor="test")}
    assert results["broken.bpmn"].status == "refused"
    assert results["broken.bpmn"].error.element_id == "svc_flaky"
    assert results["mini.bpmn"].status in ("new_version", "unchanged")
    with product.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ProcessDefinition)
                              .where(ProcessDefinition.process_id == "broken")) == 0


def test_a_changed_file_is_a_new_version_and_running_instances_keep_theirs(product, mini):
    counter = Actor("madoguchi", "madoguchi")
    old = mini.runner.start("mini", counter)
    with product.session_factory() as session:
        old_definition_id = active_definition(session, "mini").id
    changed = XML.replace('name="入力"', 'name="入力（改訂）"')
    with product.session_factory.begin() as session:
        result = deploy(session, parse_definition(changed, FORMS, mini.handlers), actor="test", source="mini.bpmn")
        again = deploy(session, parse_definition(changed, FORMS, mini.handlers), actor="test", source="mini.bpmn")
    assert result.status == "new_version" and again.status == "unchanged"
    assert result.definition_id == again.definition_id != old_definition_id
    new = mini.runner.start("mini", counter)
    mini.runner.complete(old.next_task_id, counter, {"amount": 1})
    with product.session_factory() as session:
        assert session.get(ProcessInstance, old.instance_id).definition_id == old_definition_id
        assert session.get(ProcessInstance, new.instance_id).definition_id == result.definition_id
        assert active_definition(session, "mini").id == result.definition_id
    # restore the shipped version for the other tests
    with product.session_factory.begin() as session:
        deploy(session, parse_definition(XML, FORMS, mini.handlers), actor="test", source="mini.bpmn")
