"""The definitions table: deploy versions, pick the active one, and keep parsed specs in memory."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from threading import Lock
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.errors import DefinitionError, DefinitionNotFound
from engine.library.definitions import ParsedDefinition, parse_definition, read_definition_files
from engine.library.paths import PrunedPath, SequenceFlow, pruned_path_of, sequence_flows
from engine.library.script_engine import InkanScriptEngine
from engine.models import ProcessDefinition
from handlers.base import HandlerRegistry


class _SharedSpecWorkflowConverter(BpmnWorkflowConverter):
    """SpiffWorkflow's workflow converter, which can also leave the specs out: a stored state holds the run only,
    and a restore runs on the definition's parsed spec objects (SpecCache), shared by every workflow of that
    version as SpiffWorkflow means a spec to be (started workflows and migrated ones already use them), instead of
    rebuilding every task spec from a serialised copy for each page and each completion."""

    def to_dict(self, workflow, without_specs: bool = False):
        if not without_specs:
            return super().to_dict(workflow)
        dct = WorkflowConverter.to_dict(self, workflow)  # as super().to_dict without 'spec', 'subprocess_specs'
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        if spec is None:
            return super().from_dict(dct)
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)  # as super().from_dict does
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(
    SPIFF_CONFIG | {BpmnWorkflow: _SharedSpecWorkflowConverter}))
# SERIALIZER.to_dict(workflow) without the registry's convert(), which takes no keywords (the same call it makes)
_WORKFLOW_TO_DICT = SERIALIZER.registry.convert_to_dict[SERIALIZER.registry.typenames[BpmnWorkflow]]
PRUNED_KEY = "inkan_pruned_path"  # beside SpiffWorkflow's own keys in the stored state (engine.runtime.pruning)


@dataclass
class DeployResult:
    source: str
    process_id: str | None
    status: str  # 'new_version' | 'unchanged' | 'refused'
    content_hash: str | None = None
    definition_id: int | None = None
    error: DefinitionError | None = None


@dataclass
class CachedSpec:
    spec: Any  # SpiffWorkflow's BpmnProcessSpec (the package has no type information); never changed once parsed
    subprocess_specs: dict
    forms: dict[str, dict]
    flows: list[SequenceFlow]  # the diagram's sequence flows (the case's progress on the task and instance pages)


class SpecCache:
    """Parsed specs by definition id: definitions are immutable, so a cache entry never goes stale."""

    def __init__(self) -> None:
        self._entries: dict[int, CachedSpec] = {}
        self._lock = Lock()

    def get(self, definition: ProcessDefinition) -> CachedSpec:
        entry = self._entries.get(definition.id)
        if entry is None:
            entry = _parsed(definition.bpmn_xml, definition.forms_json, definition.source)
            with self._lock:
                self._entries[definition.id] = entry
        return entry

    def of_id(self, session: Session, definition_id: int) -> CachedSpec:
        """The entry of a definition id, reading the definition's row (its XML and forms) only when not cached."""
        entry = self._entries.get(definition_id)
        return entry if entry is not None else self.get(session.get_one(ProcessDefinition, definition_id))


@lru_cache(maxsize=64)
def _parsed(bpmn_xml: str, forms_json: str, source: str) -> CachedSpec:
    """A definition parsed once per process by content, whichever database and product it comes from: the modeler's
    sandbox builds a product for each test run (and the test suite hundreds), on the same flows as the live one."""
    parsed = parse_definition(bpmn_xml, json.loads(forms_json), None, source=source)
    return CachedSpec(parsed.spec, parsed.subprocess_specs, parsed.forms, sequence_flows(bpmn_xml))


def restore_workflow(specs: SpecCache, definition: ProcessDefinition, state: str):
    """Rebuild a workflow from its stored state on the definition's cached spec objects."""
    return restore_on(specs.get(definition), state)


def restore_on(entry: CachedSpec, state: str):
    """Rebuild a workflow from its stored state on a cached definition's spec objects."""
    dct = json.loads(state)
    pruned = dct.pop(PRUNED_KEY, None)
    workflow = SERIALIZER.from_dict(dct, spec=entry.spec, subprocess_specs=entry.subprocess_specs)
    workflow.script_engine = InkanScriptEngine()  # CEL wherever it is evaluated (a run binds its service caller)
    workflow.pruned_path = PrunedPath.from_json(pruned)
    return workflow


def dump_workflow(workflow) -> str:
    """The state to store: the run only; the definition row holds the spec."""
    dct = _WORKFLOW_TO_DICT(workflow, without_specs=True)
    pruned = pruned_path_of(workflow)
    if pruned.tasks_removed:
        dct[PRUNED_KEY] = pruned.to_json()
    dct["serializer_version"] = SERIALIZER.VERSION
    return json.dumps(dct, ensure_ascii=False)


def deploy(session: Session, parsed: ParsedDefinition, *, actor: str, source: str, note: str = "",
           activate: bool = True) -> DeployResult:
    """Store a new version unless the same content is already stored; make it the active one."""
    existing = session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.process_id == parsed.process_id,
        ProcessDefinition.content_hash == parsed.content_hash)).first()
    if existing is not None:
        if activate and not existing.is_active:
            _activate(session, existing)
        return DeployResult(source, parsed.process_id, "unchanged", parsed.content_hash, existing.id)
    definition = ProcessDefinition(
        process_id=parsed.process_id, name=parsed.name, content_hash=parsed.content_hash,
        bpmn_xml=parsed.bpmn_xml, forms_json=json.dumps(parsed.forms, ensure_ascii=False, sort_keys=True),
        source=source, note=note, created_by=actor, is_active=False)
    session.add(definition)
    session.flush()
    if activate:
        _activate(session, definition)
    return DeployResult(source, parsed.process_id, "new_version", parsed.content_hash, definition.id)


def _activate(session: Session, definition: ProcessDefinition) -> None:
    session.execute(update(ProcessDefinition).where(ProcessDefinition.process_id == definition.process_id)
                    .values(is_active=False))
    definition.is_active = True
    session.flush()


def deploy_directory(session: Session, bpmn_dir: Path, handlers: HandlerRegistry, *,
                     actor: str) -> list[DeployResult]:
    """Load every bpmn_dir/*.bpmn; a changed file becomes a new active version, a bad one is refused."""
    results = []
    for path in sorted(bpmn_dir.glob("*.bpmn")):
        try:
            xml, forms = read_definition_files(path)
            parsed = parse_definition(xml, forms, handlers, source=path.name)
        except DefinitionError as exc:
            results.append(DeployResult(path.name, None, "refused", error=exc))
            continue
        results.append(deploy(session, parsed, actor=actor, source=path.name, note="bpmn/ からの読込"))
    return results


def active_definition(session: Session, process_id: str) -> ProcessDefinition:
    """The active version of a process; raise DefinitionNotFound."""
    definition = session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.process_id == process_id, ProcessDefinition.is_active.is_(True))).first()
    if definition is None:
        raise DefinitionNotFound(f"業務フロー「{process_id}」は登録されていません")
    return definition


def list_active_definitions(session: Session) -> list[ProcessDefinition]:
    return list(session.scalars(select(ProcessDefinition).where(ProcessDefinition.is_active.is_(True))
                                .order_by(ProcessDefinition.name)))


def list_versions(session: Session, process_id: str | None = None) -> list[ProcessDefinition]:
    query = select(ProcessDefinition).order_by(ProcessDefinition.process_id, ProcessDefinition.id.desc())
    if process_id:
        query = query.where(ProcessDefinition.process_id == process_id)
    return list(session.scalars(query))


def get_definition(session: Session, definition_id: int) -> ProcessDefinition:
    definition = session.get(ProcessDefinition, definition_id)
    if definition is None:
        raise DefinitionNotFound(f"定義 {definition_id} は存在しません")
    return definition


def message_start(session: Session, specs: SpecCache, message_name: str) -> tuple[ProcessDefinition, Any]:
    """The active definition whose start event catches `message_name`, and that event's definition.

    Raise DefinitionNotFound when no active definition starts on the message.
    """
    for definition in list_active_definitions(session):
        for task_spec in specs.get(definition).spec.task_specs.values():
            event = getattr(task_spec, "event_definition", None)
            if isinstance(task_spec, StartEvent) and isinstance(event, MessageEventDefinition) \
                    and event.name == message_name:
                return definition, event
    raise DefinitionNotFound(f"メッセージ「{message_name}」で開始する業務フローは登録されていません")
