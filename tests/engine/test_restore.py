"""Restoring a stored workflow runs on the definition's cached spec objects and loses nothing of the state."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.library.catalog import SERIALIZER, SpecCache, dump_workflow, restore_on
from engine.library.definitions import read_definition_files
from engine.library.script_engine import InkanScriptEngine

BPMN = Path(__file__).resolve().parents[2] / "bpmn" / "sokuji_touroku.bpmn"


def cached_entry():
    xml, forms = read_definition_files(BPMN)
    definition = SimpleNamespace(id=1, bpmn_xml=xml, forms_json=json.dumps(forms), source=BPMN.name)
    return SpecCache().get(definition)  # type: ignore[arg-type]  # the columns SpecCache reads


def started(entry) -> BpmnWorkflow:
    workflow = BpmnWorkflow(entry.spec, entry.subprocess_specs)
    workflow.script_engine = InkanScriptEngine()
    workflow.get_tasks(state=TaskState.READY)[0].data.update({"resident_id": "00000000001"})
    workflow.do_engine_steps()
    return workflow


def test_the_stored_state_is_what_spiffworkflow_writes_without_the_specs() -> None:
    workflow = started(cached_entry())
    full = SERIALIZER.to_dict(workflow)
    full.pop("spec"), full.pop("subprocess_specs")
    full["serializer_version"] = SERIALIZER.VERSION
    assert dump_workflow(workflow) == json.dumps(full, ensure_ascii=False)


def test_a_restored_workflow_runs_on_the_cached_specs_and_saves_the_same_state() -> None:
    entry = cached_entry()
    state = dump_workflow(started(entry))
    restored = restore_on(entry, state)
    assert restored.spec is entry.spec  # not rebuilt from a serialised copy
    assert all(restored.subprocess_specs[name] is spec for name, spec in entry.subprocess_specs.items())
    assert dump_workflow(restored) == state
    ready = [task.task_spec.bpmn_id for task in restored.get_tasks(state=TaskState.READY)]
    assert ready and all(task.workflow is restored for task in restored.get_tasks())


def test_two_workflows_restored_from_one_spec_do_not_share_their_data() -> None:
    entry = cached_entry()
    state = dump_workflow(started(entry))
    first, second = restore_on(entry, state), restore_on(entry, state)
    first_task = first.get_tasks(state=TaskState.READY)[0]
    first_task.data["resident_id"] = "changed"
    assert second.get_tasks(state=TaskState.READY)[0].data["resident_id"] == "00000000001"
    assert dump_workflow(second) == state


def test_a_definition_is_parsed_once_per_process_by_content() -> None:
    """Products on other databases (the modeler's sandbox, another test file) share the parsed spec of the same
    content under whatever id their database gave it; other content is parsed on its own."""
    xml, forms = read_definition_files(BPMN)
    here = SimpleNamespace(id=1, bpmn_xml=xml, forms_json=json.dumps(forms), source=BPMN.name)
    elsewhere = SimpleNamespace(id=7, bpmn_xml=xml, forms_json=json.dumps(forms), source=BPMN.name)
    changed = SimpleNamespace(id=8, bpmn_xml=xml.replace("印影読込", "印影の読込"), forms_json=json.dumps(forms),
                              source=BPMN.name)
    first, second, other = SpecCache(), SpecCache(), SpecCache()
    assert first.get(here) is second.get(elsewhere)  # type: ignore[arg-type]
    assert other.get(changed) is not first.get(here)  # type: ignore[arg-type]
    names = [spec.bpmn_name or "" for spec in other.get(changed).spec.task_specs.values()]  # type: ignore[arg-type]
    assert "4.1.5.1 印影の読込" in names
