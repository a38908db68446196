"""Every case of every case file, run by the one case interpreter — engine.casework with the product's world
(handlers.casework), the same the modeler's test runner and the deploy gate call — on the shared test database;
then every sequence flow of every process must have been taken by some case.

The case format: engine/casework/document.py (steps, clock, expectations) and handlers/casework/world.py
(applicants, set-ups, resident events, placeholders, history checks).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import select

from bpmn_tests.conftest import CASES_DIR
from engine.casework import cases_of, run_case
from engine.library.catalog import active_definition
from engine.library.paths import sequence_flows
from handlers.services.history_labels import FIELD_LABELS, VALUE_LABELS, change_summary
from registry.seals.models import HistoryEntry
from tests.support.flow import used_residents

CASES = cases_of(CASES_DIR)
_covered: dict[tuple[str, str], set[str]] = {}


@pytest.mark.parametrize(("process_id", "case"), CASES, ids=[f"{p}:{c['id']}" for p, c in CASES])
def test_scenario(product, process_id: str, case: dict) -> None:
    result = run_case(product.runner, process_id, case, product.case_world(used_residents(product)))
    _covered.setdefault((_database(product), process_id), set()).update(result.taken)
    assert result.passed, f"{result.message}\n{result.trace}".rstrip()


def test_every_sequence_flow_is_covered(product) -> None:
    """Runs after the scenarios of this database (same module, later position)."""
    uncovered = {}
    with product.session_factory() as session:
        for process_id in sorted({p for p, _ in CASES}):
            flows = {f.flow_id for f in sequence_flows(active_definition(session, process_id).bpmn_xml)}
            missing = sorted(flows - _covered.get((_database(product), process_id), set()))
            if missing:
                uncovered[process_id] = missing
    assert not uncovered, f"sequence flows no case covered: {uncovered}"


CODE = re.compile(r"^[a-z]+(_[a-z0-9]+)*$")  # a value that is a code ('self', 'driving_licence'), not text or an id


def test_every_history_entry_reads_in_japanese(product) -> None:
    """Runs after the scenarios of this database: every history entry any flow wrote has a Japanese reason, a
    label for each key and for each coded value (handlers.services.history_labels), so no summary shows a raw key or code."""
    problems = set()
    with product.session_factory() as session:
        for entry in session.scalars(select(HistoryEntry)):
            if re.search(r"[a-z]{3,}", entry.reason):
                problems.add(f"reason {entry.reason!r}")
            for key, value in {**json.loads(entry.before_json), **json.loads(entry.after_json)}.items():
                problems |= _unlabelled(key, value)
            summary = change_summary(entry)
            problems |= {f"{entry.reason}: raw {word!r}" for word in re.findall(r"[A-Za-z_]{3,}", summary)
                         if word in FIELD_LABELS or any(word in labels for labels in VALUE_LABELS.values())}
    assert not problems, sorted(problems)


def _unlabelled(key: str, value: Any) -> set[str]:
    if key not in FIELD_LABELS:
        return {f"key {key!r}"}
    values = value if isinstance(value, list) else [value]
    return {f"{key}={item!r}" for item in values if isinstance(item, str) and CODE.match(item)
            and item not in VALUE_LABELS.get(key, {})}


def _database(product) -> str:
    return str(product.session_factory.kw["bind"].url)


def test_every_end_event_gives_its_outcome(product) -> None:
    """Runs after the scenarios of this database: every end event of the 12 shipped flows was reached by some case,
    and each instance that reached it stores the outcome the end event declares (never a bare 完了); a refusal
    carries its reason."""
    from SpiffWorkflow.bpmn.specs.defaults import EndEvent

    from engine.models import InstanceStatus, ProcessInstance
    from engine.outcomes import OUTCOMES, declared_outcome

    problems, reached = [], set()
    with product.session_factory() as session:
        for instance in session.scalars(select(ProcessInstance).where(
                ProcessInstance.status == InstanceStatus.COMPLETED,
                ProcessInstance.process_id.in_({p for p, _ in CASES}))):
            definition = active_definition(session, instance.process_id)
            end = product.specs.get(definition).spec.task_specs.get(instance.end_event)
            code, label = declared_outcome(end) if end is not None else (None, None)
            reached.add((instance.process_id, instance.end_event))
            if code not in OUTCOMES or (instance.outcome, instance.outcome_label) != (code, label):
                problems.append(f"{instance.process_id}/{instance.end_event}: {instance.outcome} {instance.outcome_label}")
            if code == "refused" and not instance.outcome_reason:
                problems.append(f"{instance.process_id}/{instance.end_event}: 却下 without a reason")
        for process_id in sorted({p for p, _ in CASES}):
            spec = product.specs.get(active_definition(session, process_id)).spec
            ends = {ts.bpmn_id for ts in spec.task_specs.values() if isinstance(ts, EndEvent)}
            problems += [f"{process_id}/{end}: no case reached it" for end in sorted(ends)
                         if (process_id, end) not in reached]
    assert len({p for p, _ in CASES}) == 12
    assert not problems, problems
