"""Drafts of a definition: every validation rule reported on save, the deploy gate, roll back, migration, diff,
export / import. Each test works on its own copy of 4.1.2 under a fresh process id, so the shipped flow other tests
use stays active and untouched."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine.actor import Actor
from engine.evidence import audit
from engine.library import catalog, drafts
from engine.library.bundle import bundle_of, import_bundle, read_bundle, write_directory
from engine.library.definitions import parse_definition, read_definition_files
from engine.library.draft_models import DraftStatus
from engine.library.migration import MigrationRefused, migrate_instances, plan_migration
from engine.library.version_diff import diff_versions
from engine.models import AuditEvent, HumanTask, ProcessInstance
from engine.runtime.queries import open_tasks_of_instance
from tests.support.library import FORMS, XML, deploy_copy

MANAGER = Actor("manager", "manager", "管理者")
CASES = {"process_id": "x", "cases": [{"id": "c1", "steps": [], "expect": {}}]}


@pytest.fixture
def flow(product):
    """A deployed copy of 4.1.2 under a new process id: (process id, xml, its definition)."""
    return deploy_copy(product)


def new_draft(product, definition):
    with product.session_factory.begin() as session:
        return drafts.open_draft(session, catalog.get_definition(session, definition.id), MANAGER, CASES)


def save(product, draft, xml, forms=FORMS, note="変更"):
    with product.session_factory.begin() as session:
        return drafts.save_draft(session, drafts.get_draft(session, draft.id), MANAGER, product.handlers,
                                 bpmn_xml=xml, forms=forms, cases=CASES, note=note)


def _without_form(name):
    return {k: v for k, v in FORMS.items() if k != name}


def _broken_form():
    card = json.loads(json.dumps(FORMS["sokuji_touroku.card.json"]))
    card["schema"]["properties"]["card_kind"]["type"] = "text"
    return FORMS | {"sokuji_touroku.card.json": card}


RULES = {
    "xsd": (lambda x: x.replace('<bpmn:userTask id="task_card"', '<bpmn:userTask priority="high" id="task_card"'),
            FORMS, "task_card", "XSD"),
    "spiff_parser": (lambda x: x.replace('targetRef="task_identify"', 'targetRef="no_such_task"', 1), FORMS,
                     "start_application", "BPMNを解釈できません"),
    "operator_registered": (lambda x: x.replace('id="inkan.registry.inquire"', 'id="inkan.no_such"'), FORMS,
                            "svc_inquiry", "inkan.no_such"),
    "parameter_given": (lambda x: x.replace('<spiffworkflow:parameter id="resident_id" type="str" '
                                            'value="resident_id" />', "", 1), FORMS, "svc_inquiry", "resident_id"),
    "form_present": (lambda x: x, _without_form("sokuji_touroku.card.json"), "task_card",
                     "sokuji_touroku.card.json"),
    "form_valid_schema": (lambda x: x, _broken_form(), "task_card", "JSON Schema"),
    "user_task_in_lane": (lambda x: x.replace("<bpmn:flowNodeRef>task_card</bpmn:flowNodeRef>", ""), FORMS,
                          "task_card", "レーン"),
    "reserved_id": (lambda x: x.replace("task_card", "End"), FORMS, "End", "予約"),
    "condition_unknown_variable": (lambda x: x.replace("<bpmn:conditionExpression>eligibility.eligible",
                                                       "<bpmn:conditionExpression>eligibilty.eligible"),
                                   FORMS, "flow_eligible", "定義にない変数です: eligibilty"),
    "condition_compiles": (lambda x: x.replace("<bpmn:conditionExpression>eligibility.eligible",
                                               "<bpmn:conditionExpression>eligibility.eligible &amp;&amp;"),
                           FORMS, "flow_eligible", "CELの式として読めません"),
    "condition_python_refused": (lambda x: x.replace("<bpmn:conditionExpression>eligibility.eligible",
                                                     "<bpmn:conditionExpression>__import__('os').getcwd()"),
                                 FORMS, "flow_eligible", "条件式"),
    "condition_too_long": (lambda x: x.replace("<bpmn:conditionExpression>eligibility.eligible",
                                               "<bpmn:conditionExpression>" + "true &amp;&amp; " * 300
                                               + "eligibility.eligible"),
                           FORMS, "flow_eligible", "式が長すぎます"),
    "parameter_compiles": (lambda x: x.replace('value="resident_id" />', 'value="resident_id +" />', 1), FORMS,
                           "svc_inquiry", "パラメータ resident_id"),
    "no_scripts": (lambda x: x.replace("</spiffworkflow:properties>\n      </bpmn:extensionElements>\n"
                                       "      <bpmn:incoming>flow_start_to_identify</bpmn:incoming>",
                                       "</spiffworkflow:properties>\n        <spiffworkflow:preScript>x = 1"
                                       "</spiffworkflow:preScript>\n      </bpmn:extensionElements>\n"
                                       "      <bpmn:incoming>flow_start_to_identify</bpmn:incoming>"),
                   FORMS, "task_identify", "スクリプト"),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_is_reported_on_save_with_the_element(product, flow, rule):
    _, xml, definition = flow
    mutate, forms, element_id, words = RULES[rule]
    draft = new_draft(product, definition)
    problems = save(product, draft, mutate(xml), forms)
    assert problems, f"{rule}: no problem reported"
    assert problems[0]["element_id"] == element_id, problems
    assert words in problems[0]["message"], problems
    with product.session_factory() as session:
        stored = drafts.get_draft(session, draft.id)
        assert stored.problems == problems and stored.bpmn_xml == mutate(xml)  # the work is kept, problems too


def test_renaming_the_process_is_refused(product, flow):
    process_id, xml, definition = flow
    draft = new_draft(product, definition)
    problems = save(product, draft, xml.replace(f'id="{process_id}"', 'id="another_flow"')
                    .replace(f'processRef="{process_id}"', 'processRef="another_flow"'))
    assert "プロセスID" in problems[0]["message"]


def test_every_save_is_audited(product, flow):
    _, xml, definition = flow
    draft = new_draft(product, definition)
    save(product, draft, xml, note="一回目")
    save(product, draft, xml.replace("<bpmn:flowNodeRef>task_card</bpmn:flowNodeRef>", ""), note="二回目")
    with product.session_factory() as session:
        events = [audit.summary_of(e) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.kind.in_(("draft_open", "draft_save"))).order_by(AuditEvent.id))
            if audit.summary_of(e).get("draft_id") == draft.id]
    assert [e.get("note") for e in events] == [None, "一回目", "二回目"]
    assert [e.get("problems") for e in events[1:]] == [0, 1]


def test_deploy_is_refused_while_a_case_fails_or_none_ran(product, flow):
    _, xml, definition = flow
    draft = new_draft(product, definition)
    save(product, draft, xml.replace("4.1.2 即時登録", "4.1.2 即時登録（改）", 1))
    for check in (drafts.DeployCheck(failed=["c1"], ran=1), drafts.DeployCheck(ran=0)):
        with product.session_factory.begin() as session, pytest.raises(drafts.TestsFailed):
            drafts.deploy_draft(session, drafts.get_draft(session, draft.id), MANAGER, product.handlers, check,
                                confirm_uncovered=True)


def test_uncovered_flows_need_an_explicit_confirmation(product, flow):
    process_id, xml, definition = flow
    draft = new_draft(product, definition)
    save(product, draft, xml.replace("4.1.2 即時登録", "4.1.2 即時登録（改）", 1), note="名称変更")
    check = drafts.DeployCheck(uncovered=["flow_card_retry"], ran=3)
    with product.session_factory.begin() as session, pytest.raises(drafts.UncoveredFlows) as refused:
        drafts.deploy_draft(session, drafts.get_draft(session, draft.id), MANAGER, product.handlers, check,
                            confirm_uncovered=False)
    assert refused.value.details["uncovered"] == ["flow_card_retry"]
    with product.session_factory.begin() as session:
        result = drafts.deploy_draft(session, drafts.get_draft(session, draft.id), MANAGER, product.handlers, check,
                                     confirm_uncovered=True)
    with product.session_factory() as session:
        active = catalog.active_definition(session, process_id)
        assert active.id == result.definition_id != definition.id
        assert active.note == "名称変更" and active.created_by == "manager"
        assert drafts.suite_of(session, active.id) == CASES
        assert drafts.get_draft(session, draft.id).status == DraftStatus.DEPLOYED
    with pytest.raises(drafts.DraftClosed):
        save(product, draft, xml)


def deploy_version(product, process_id, xml, note):
    return deploy_copy(product, xml, process_id, note)[2]


def start_at_identify(product, process_id) -> int:
    return product.runner.start(process_id, Actor("madoguchi", "madoguchi"), {"resident_id": "x"}).instance_id


def test_roll_back_activates_an_earlier_version_and_running_instances_stay(product, flow):
    process_id, xml, first = flow
    before = start_at_identify(product, process_id)
    second = deploy_version(product, process_id, xml.replace("2.1.3 基本検索（申請者の特定）", "2.1.3 申請者の特定"), "v2")
    with product.session_factory.begin() as session:
        drafts.activate_version(session, catalog.get_definition(session, first.id), MANAGER)
    after = start_at_identify(product, process_id)
    with product.session_factory() as session:
        assert catalog.active_definition(session, process_id).id == first.id
        assert session.get(ProcessInstance, before).definition_id == first.id
        assert session.get(ProcessInstance, after).definition_id == first.id
        event = session.scalars(select(AuditEvent).where(AuditEvent.kind == "definition_activate")
                                .order_by(AuditEvent.id.desc())).first()
        assert audit.summary_of(event) == {"process_id": process_id, "from": second.content_hash[:12],
                                           "to": first.content_hash[:12]}


def test_migration_dry_run_then_real_keeps_data_and_task(product, flow):
    process_id, xml, first = flow
    waiting = start_at_identify(product, process_id)
    renamed = deploy_version(product, process_id, xml.replace("2.1.3 基本検索（申請者の特定）", "2.1.3 申請者の特定"), "v2")
    with product.session_factory() as session:
        task_before = open_tasks_of_instance(session, waiting)[0]
        plan = {r.instance_id: r for r in plan_migration(session, product.specs, first, renamed)}
        assert plan[waiting].can_move and plan[waiting].current_tasks == ["task_identify"]
        assert session.get(ProcessInstance, waiting).definition_id == first.id  # a dry run changes nothing
    with product.session_factory.begin() as session:
        rows = migrate_instances(session, product.specs, first, renamed, MANAGER)
    assert waiting in [r.instance_id for r in rows if r.can_move]
    with product.session_factory() as session:
        instance = session.get(ProcessInstance, waiting)
        task = open_tasks_of_instance(session, waiting)[0]
        assert instance.definition_id == renamed.id
        assert (task.id, task.task_guid, task.title) == (task_before.id, task_before.task_guid, "2.1.3 申請者の特定")
        kinds = [e.kind for e in audit.events_of_instance(session, waiting)]
        assert kinds[0] == "start" and kinds[-1] == "migrate"
    outcome = product.runner.complete(task.id, Actor("madoguchi", "madoguchi"),
                                      {"resident_id": "99999999999", "received_items": ["application", "seal"]})
    assert outcome.instance_id == waiting  # it runs on in the new version


def test_migration_refuses_instances_whose_current_task_is_gone(product, flow):
    process_id, xml, first = flow
    waiting = start_at_identify(product, process_id)
    without = deploy_version(product, process_id, xml.replace("task_identify", "task_identify_v2"), "v2")
    with product.session_factory.begin() as session:
        rows = {r.instance_id: r for r in migrate_instances(session, product.specs, first, without, MANAGER)}
    assert not rows[waiting].can_move
    assert rows[waiting].reasons == ["現在の作業「2.1.3 基本検索（申請者の特定）」が新しい版にありません"]
    with product.session_factory() as session:
        assert session.get(ProcessInstance, waiting).definition_id == first.id
        assert session.scalars(select(HumanTask).where(HumanTask.instance_id == waiting)).one().is_open
    with product.session_factory() as session, pytest.raises(MigrationRefused):
        plan_migration(session, product.specs, first, first)


def test_diff_lists_added_removed_and_changed_elements():
    changed = XML.replace('name="2.1.3 基本検索（申請者の特定）"', 'name="申請者の特定"') \
                 .replace("<bpmn:flowNodeRef>task_card</bpmn:flowNodeRef>", "")
    forms = FORMS | {"extra.json": {"title": "追加", "schema": {"type": "object"}}}
    result = diff_versions(XML, FORMS, changed, forms)
    by_id = {c.element_id: c for c in result.elements}
    assert by_id["task_identify"].change == "changed"
    assert any("申請者の特定" in d for d in by_id["task_identify"].details)
    assert by_id["lane_backyard"].details == ["レーンの所属"]
    assert [(c.element_id, c.change) for c in result.forms] == [("extra.json", "added")]
    assert "-    <bpmn:userTask id=\"task_identify\" name=\"2.1.3 基本検索（申請者の特定）\">" in result.xml_diff


def test_export_then_import_round_trip(product, flow):
    process_id, _, definition = flow
    with product.session_factory() as session:
        document = bundle_of(catalog.get_definition(session, definition.id), CASES)
    bundle = read_bundle(json.dumps(document, ensure_ascii=False).encode("utf-8"))
    with product.session_factory.begin() as session:
        draft, problems = import_bundle(session, bundle, MANAGER, product.handlers, definition)
    assert problems == []
    assert (draft.process_id, draft.bpmn_xml, json.loads(draft.forms_json), json.loads(draft.cases_json)) == \
        (process_id, definition.bpmn_xml, json.loads(definition.forms_json), CASES)


def test_import_goes_through_the_same_validation(product, flow):
    _, xml, definition = flow
    with product.session_factory() as session:
        document = bundle_of(catalog.get_definition(session, definition.id), CASES)
    document["bpmn_xml"] = xml.replace('id="inkan.registry.inquire"', 'id="inkan.no_such"')
    with product.session_factory.begin() as session:
        _, problems = import_bundle(session, read_bundle(json.dumps(document).encode()), MANAGER,
                                    product.handlers, definition)
    assert problems[0]["element_id"] == "svc_inquiry"


@pytest.mark.parametrize("raw", [b"not json", b'{"format": "other"}', b'{"format": "inkan-definition/1"}'])
def test_a_bad_bundle_is_refused(raw):
    with pytest.raises(Exception) as refused:
        read_bundle(raw)
    assert refused.value.code == "invalid_bundle" and refused.value.http_status == 422


def test_write_directory_writes_the_active_versions_back_as_files(product, tmp_path):
    with product.session_factory() as session:
        written = write_directory(session, tmp_path)
        active = catalog.active_definition(session, "sokuji_touroku")
    assert tmp_path / "sokuji_touroku.bpmn" in written
    xml, forms = read_definition_files(tmp_path / "sokuji_touroku.bpmn")
    assert parse_definition(xml, forms, product.handlers).content_hash == active.content_hash
