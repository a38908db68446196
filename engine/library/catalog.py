"""The definitions table: deploy versions, pick the active one, and keep parsed specs in memory."""

from __future__ import annotations

import json
import pickle
from dataclasses import dataclass
from pathlib import Path
from threading import Lock
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.errors import DefinitionError, DefinitionNotFound
from engine.library.definitions import ParsedDefinition, parse_definition, read_definition_files
from engine.library.paths import PrunedPath, SequenceFlow, pruned_path_of, sequence_flows
from engine.library.script_engine import InkanScriptEngine
from engine.models import ProcessDefinition
from handlers.base import HandlerRegistry

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
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
    spec: Any  # SpiffWorkflow's BpmnProcessSpec (the package has no type information)
    subprocess_specs: dict
    spec_dicts: bytes  # the serialised spec and subprocess specs, pickled: restoring a workflow consumes a copy
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
            parsed = parse_definition(definition.bpmn_xml, json.loads(definition.forms_json), None,
                                      source=definition.source)
            dicts = (SERIALIZER.to_dict(parsed.spec), {k: SERIALIZER.to_dict(v) for k, v in parsed.subprocess_specs.items()})
            entry = CachedSpec(parsed.spec, parsed.subprocess_specs, pickle.dumps(dicts, pickle.HIGHEST_PROTOCOL),
                               parsed.forms, sequence_flows(definition.bpmn_xml))
            with self._lock:
                self._entries[definition.id] = entry
        return entry

    def fresh_spec_dicts(self, definition: ProcessDefinition) -> tuple[dict, dict]:
        """A copy of the serialised specs for one restore (unpickling is a fifth of a deepcopy's time)."""
        spec_dict, subprocess_dicts = pickle.loads(self.get(definition).spec_dicts)
        return spec_dict, subprocess_dicts


def restore_workflow(specs: SpecCache, definition: ProcessDefinition, state: str):
    """Rebuild a workflow from its stored state and the definition's cached spec."""
    dct = json.loads(state)
    pruned = dct.pop(PRUNED_KEY, None)
    dct["spec"], dct["subprocess_specs"] = specs.fresh_spec_dicts(definition)
    workflow = SERIALIZER.from_dict(dct)
    workflow.script_engine = InkanScriptEngine()  # CEL wherever it is evaluated (a run binds its service caller)
    workflow.pruned_path = PrunedPath.from_json(pruned)
    return workflow


def dump_workflow(workflow) -> str:
    """The state to store: the run only; the definition row holds the spec."""
    dct = SERIALIZER.to_dict(workflow)
    dct.pop("spec"), dct.pop("subprocess_specs")
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
