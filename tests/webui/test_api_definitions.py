"""POST /api/v1/definitions: a bad BPMN document is refused with the element and reason, and nothing is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.models import ProcessDefinition
from tests.webui.api_contract import Api


@pytest.fixture
def api(client, api_token):
    return lambda role: Api(client, api_token(role))


def shipped_xml(product) -> str:
    return (product.bpmn_dir / "sokuji_touroku.bpmn").read_text(encoding="utf-8")


def version_count(product) -> int:
    with product.session_factory() as session:
        return session.scalar(select(func.count()).select_from(ProcessDefinition))


def test_the_shipped_definition_redeploys_unchanged(api, product):
    body = api("manager").post("/definitions", 201, json={"bpmn_xml": shipped_xml(product), "note": "再登録"})
    assert body["status"] == "unchanged", body
    assert body["process_id"] == "sokuji_touroku"


@pytest.mark.parametrize(("mutation", "element_id", "words"), [
    (("inkan.registry.inquire", "inkan.registry.no_such_handler"), "svc_inquiry", "ハンドラが登録されていません"),
    (("sokuji_touroku.scan.json", "sokuji_touroku.missing.json"), "task_scan", "見つかりません"),
    (('id="task_review"', 'id="task_review" priority="high"'), "task_review", "XSD"),
    (("eligibility.reason == 'under_15'", "__import__('os').system('true')"), "flow_under_15", "使用できない関数"),
])
def test_a_bad_definition_is_refused_with_element_and_reason(api, product, mutation, element_id, words):
    before = version_count(product)
    bad = shipped_xml(product).replace(*mutation)
    body = api("manager").post("/definitions", 422, json={"bpmn_xml": bad})
    assert body["error"] == "invalid_definition"
    assert body["element_id"] == element_id
    assert words in body["message"]
    assert version_count(product) == before


def test_malformed_xml_is_refused(api, product):
    body = api("admin").post("/definitions", 422, json={"bpmn_xml": "<bpmn:definitions"})
    assert body["error"] == "invalid_definition" and "XML" in body["message"]


def test_clerks_and_auditors_may_not_deploy(api, product):
    api("madoguchi").post("/definitions", 403, json={"bpmn_xml": shipped_xml(product)})
    api("auditor").post("/definitions", 403, json={"bpmn_xml": shipped_xml(product)})
