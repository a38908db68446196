"""Run every case of every bpmn_tests/cases/*.json through the engine; then check every sequence flow was taken.

A case names its applicant, optional set-up, the user tasks in the order they must come up (each with the role
that does it and the form data) and what must hold at the end. Placeholders in data:
  $applicant                the applicant's resident id        $guarantor   a registered guarantor's number
  $scan:TEXT[:SIZE_MM[:SHAPE[:INK]]]  a generated seal scan, stored as a blob    $blank   a scan with no impression
  $inquiry_number           the 照会番号 of the case's 4.1.4 application
  $registration_number      the applicant's active registration number
  $applicant_birth_date     the applicant's birth date in the register (ISO)
  $history:REASON           4.5: id of the newest history entry 「REASON」/「REASON（…）」 of the applicant's newest record
"setup" lists set-ups run after the applicant is chosen: "office_seal", "suspended" (tests/support/certificates.py).
"pin_set" sets the PIN 1234 on the applicant's registration (tests/support/card_exchange.py).
A step ["$timers", "", {"days": N}] moves the clock N days on and fires every timer due by then.
A step ["$juki", "", {"change": "death"}] records that change of the applicant in the simulated register and
processes it (the flow it starts runs on its own), e.g. to close a record while a case waits.
"expect" may hold "history": {reason: {key: value}}: the registration's history entry with that reason has those
after-values (the registration of the case's 2.2.1 result "registration", or of the resident event "event").
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

import imaging
from bpmn_tests.conftest import load_cases
from bpmn_tests.resident_events import start_case
from engine.actor import Actor
from engine.catalog import active_definition, restore_workflow
from engine.db import utcnow
from engine.models import ProcessInstance
from engine.paths import sequence_flows, taken_flows
from engine.queries import open_tasks_of_instance
from handlers.history_labels import FIELD_LABELS, VALUE_LABELS, change_summary
from juki import DEMO_RESIDENTS
from registry.blobs.store import put_blob
from registry.seals import records
from registry.seals.models import HistoryEntry
from tests.support.card_exchange import CARD_SETUPS
from tests.support.certificates import SETUPS, registration_number_of
from tests.support.flow import RegistrationDriver

CASES = load_cases()
_covered: dict[tuple[str, str], set[str]] = {}


@pytest.mark.parametrize(("process_id", "case"), CASES, ids=[f"{p}:{c['id']}" for p, c in CASES])
def test_scenario(product, process_id: str, case: dict) -> None:
    driver = RegistrationDriver(product)
    context = _prepare(driver, case)
    outcome = start_case(product, process_id, case, context)  # a plain start, or a resident event's message
    for spec_name, role, data in case["steps"]:
        context["instance_id"] = outcome.instance_id
        if spec_name == "$timers":  # the clock moves on by data["days"]: every timer due by then fires
            product.runner.fire_due_timers(now=utcnow() + timedelta(days=data["days"]), limit=1000)
            continue
        if spec_name == "$juki":  # a change in the resident register meanwhile (it runs its own 4.2.2 / 4.3.2)
            start_case(product, process_id, {"events": [data]}, context)
            continue
        tasks = _open_tasks(product, outcome.instance_id)
        assert [t.spec_name for t in tasks] == [spec_name], f"expected {spec_name}, open: {[t.spec_name for t in tasks]}"
        outcome = product.runner.complete(tasks[0].id, Actor(role, role), _resolve(product, data, context))
    _check_expectations(product, outcome.instance_id, case["expect"], context)
    _record_coverage(product, process_id, outcome.instance_id)


def test_every_sequence_flow_is_covered(product) -> None:
    """Runs after the scenarios of this database (same module, later position)."""
    url = str(product.session_factory.kw["bind"].url)
    uncovered = {}
    with product.session_factory() as session:
        for process_id in sorted({p for p, _ in CASES}):
            flows = {f.flow_id for f in sequence_flows(active_definition(session, process_id).bpmn_xml)}
            missing = sorted(flows - _covered.get((url, process_id), set()))
            if missing:
                uncovered[process_id] = missing
    assert not uncovered, f"sequence flows no case covered: {uncovered}"


CODE = re.compile(r"^[a-z]+(_[a-z0-9]+)*$")  # a value that is a code ('self', 'driving_licence'), not text or an id


def test_every_history_entry_reads_in_japanese(product) -> None:
    """Runs after the scenarios of this database: every history entry any flow wrote has a Japanese reason, a
    label for each key and for each coded value (handlers.history_labels), so no summary shows a raw key or code."""
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


def _prepare(driver: RegistrationDriver, case: dict) -> dict[str, Any]:
    context: dict[str, Any] = {}
    applicant = case.get("applicant", "fresh")
    if applicant == "fresh":
        context["applicant"] = driver.fresh_resident()
    elif applicant == "household_member_registered":
        first, second = driver.fresh_household_pair()
        driver.register(first, seal_text=case["household_seal"])
        context["applicant"] = second
    elif applicant == "registered":
        context["applicant"] = driver.register().resident_id
    elif applicant.startswith("demo:"):
        context["applicant"] = DEMO_RESIDENTS[applicant[5:]]
    else:
        context["applicant"] = applicant
    if case.get("guarantor") == "registered":
        context["guarantor"] = driver.register().registration_number
    for name in case.get("setup", []):  # e.g. "office_seal", "suspended" (tests/support/certificates.py)
        (SETUPS | CARD_SETUPS)[name](driver.product, context)
    return context


def _resolve(product, value: Any, context: dict) -> Any:
    if isinstance(value, dict):
        return {k: _resolve(product, v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(product, v, context) for v in value]
    if not isinstance(value, str) or not value.startswith("$"):
        return value
    if value in ("$applicant", "$guarantor"):
        return context[value[1:]]
    if value == "$registration_number":  # the applicant's active registration (its 印鑑登録証 number)
        return registration_number_of(product, context["applicant"])
    if value == "$applicant_birth_date":  # 4.4.1.2: what a caller answers on the phone
        with product.session_factory() as session:
            return product.juki(session).get_resident(context["applicant"]).birth_date.isoformat()
    if value == "$inquiry_number":  # 4.1.4: the number printed on the letter of this case's application
        with product.session_factory() as session:
            return _final_data(product, session, session.get(ProcessInstance, context["instance_id"]))[
                "inquiry"]["inquiry_number"]
    if value.startswith("$history:"):  # 4.5 異動の取消し: the entry a clerk picks from the record's history
        with product.session_factory() as session:
            record = records.registrations_of(session, context["applicant"])[0]
            return next(e.id for e in reversed(records.history_of(session, record.id))
                        if e.reason == value[9:] or e.reason.startswith(f"{value[9:]}（"))
    if value == "$blank":
        return _store(product, imaging.make_blank_scan())
    if value.startswith("$scan:"):
        text, *rest = value[6:].split(":")
        options = {"size_mm": float(rest[0])} if rest else {}
        if len(rest) > 1:
            options["shape"] = rest[1]
        if len(rest) > 2:
            options["ink"] = float(rest[2])
        return _store(product, imaging.make_seal_scan(text, **options))
    raise ValueError(f"unknown placeholder {value}")


def _store(product, data: bytes) -> str:
    with product.session_factory.begin() as session:
        return put_blob(session, data, "image/png")


def _open_tasks(product, instance_id: int):
    with product.session_factory() as session:
        return open_tasks_of_instance(session, instance_id)


def _check_expectations(product, instance_id: int, expect: dict, context: dict) -> None:
    with product.session_factory() as session:
        instance = session.get(ProcessInstance, instance_id)
        assert instance.status == expect.get("status", "completed")
        if "end_event" in expect:
            assert instance.end_event == expect["end_event"]
        data = _final_data(product, session, instance)
        if "history" in expect:
            _check_history(session, data, expect["history"])
    for path, wanted in expect.get("data", {}).items():
        actual = _dig(data, path)
        if isinstance(wanted, str) and wanted.startswith("re:"):
            assert re.fullmatch(wanted[3:], str(actual)), f"{path}={actual!r} !~ {wanted}"
        else:
            assert actual == _resolve(product, wanted, context), f"{path}={actual!r}, expected {wanted!r}"


def _check_history(session, data: dict, wanted: dict) -> None:
    # the record the flow worked on: its 2.2.1 result, else the one the resident event named (4.2.2 / 4.3.2)
    record_id = (data.get("registration") or data.get("event") or {})["registration_id"]
    entries = records.history_of(session, record_id)
    for reason, values in wanted.items():
        after = json.loads(next(e for e in entries if e.reason == reason).after_json)
        for key, value in values.items():
            assert after.get(key) == value, f"history {reason}.{key}={after.get(key)!r}, expected {value!r}"


def _final_data(product, session, instance: ProcessInstance) -> dict:
    from engine.queries import instance_detail

    return instance_detail(session, product.specs, instance.id).data


def _dig(data: dict, path: str) -> Any:
    for part in path.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _record_coverage(product, process_id: str, instance_id: int) -> None:
    url = str(product.session_factory.kw["bind"].url)
    with product.session_factory() as session:
        instance = session.get(ProcessInstance, instance_id)
        definition = active_definition(session, process_id)
        workflow = restore_workflow(product.specs, definition, instance.state)
        flows = taken_flows(workflow, sequence_flows(definition.bpmn_xml))
    _covered.setdefault((url, process_id), set()).update(flows)
