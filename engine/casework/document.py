"""The case document of a process definition: its shape, what is wrong with one, and reading the shipped files.

A document is {"process_id", "description", "cases": [case]}. What the driver itself reads of a case:
  "id", "name"                  the case in reports (id unique within the document)
  "steps": [[task id, role, data], …]
                                the user tasks in the order they must come up, each completed by a user of `role`
                                with the form `data`; a step whose task id starts with "$" is not a task:
                                ["$timers", "", {"days": N}] moves the clock N days on and fires every timer due by
                                then, any other "$…" step belongs to the world (engine.casework.driver.CaseWorld)
  "expect": {"status": "completed" (default) | …, "end_event": id, "data": {"a.b": value | "re:REGEX"}}
                                what must hold at the end; values may hold the world's placeholders
Everything else in a case (who applies, set-ups, how the instance starts, record checks under "expect") is the
world's: for this product handlers.casework.world documents it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["TIMERS_STEP", "case_documents", "cases_of", "check_case_document", "empty_document", "is_step",
           "read_case_document", "shipped_document"]

TIMERS_STEP = "$timers"


def check_case_document(document: Any, process_id: str | None) -> list[str]:
    """What is wrong with a case document (empty when it can run)."""
    if not isinstance(document, dict) or not isinstance(document.get("cases"), list):
        return ["テストケースは {process_id, cases: [...]} の形式で指定してください"]
    problems = []
    if document.get("process_id") not in (None, process_id):
        problems.append(f"テストケースの process_id が {process_id} ではありません")
    seen: set[str] = set()
    for index, case in enumerate(document["cases"], 1):
        if not isinstance(case, dict) or not isinstance(case.get("id"), str) or not case.get("id"):
            problems.append(f"{index}番目のケースに id がありません")
        elif case["id"] in seen:
            problems.append(f"ケース id {case['id']} が重複しています")
        elif not isinstance(case.get("steps"), list) or not all(is_step(s) for s in case["steps"]):
            problems.append(f"ケース {case['id']} の steps は [作業ID, 役割, データ] の並びにしてください")
        elif not isinstance(case.get("expect", {}), dict):
            problems.append(f"ケース {case['id']} の expect はオブジェクトで指定してください")
        if isinstance(case, dict) and isinstance(case.get("id"), str):
            seen.add(case["id"])
    return problems


def is_step(step: Any) -> bool:
    """[task id, role, data]: two strings and an object."""
    return isinstance(step, list) and len(step) == 3 and all(isinstance(s, str) for s in step[:2]) \
        and isinstance(step[2], dict)


def empty_document(process_id: str) -> dict:
    return {"process_id": process_id, "description": "", "cases": []}


def read_case_document(path: Path) -> dict:
    """One case file; raise ValueError naming the file when it is not a runnable document."""
    document = json.loads(path.read_text(encoding="utf-8"))
    problems = check_case_document(document, document.get("process_id") if isinstance(document, dict) else "")
    if problems:
        raise ValueError(f"{path}: {'; '.join(problems)}")
    return document


def case_documents(folder: Path) -> dict[str, dict]:
    """process id → document, for every *.json in `folder` (bpmn_tests/cases)."""
    documents = (read_case_document(path) for path in sorted(folder.glob("*.json")))
    return {document["process_id"]: document for document in documents}


def cases_of(folder: Path) -> list[tuple[str, dict]]:
    """(process id, case) for every case of every document in `folder`, in file order."""
    return [(process_id, case) for process_id, document in case_documents(folder).items()
            for case in document["cases"]]


def shipped_document(bpmn_dir: Path, process_id: str) -> dict:
    """The shipped cases of a process (bpmn_tests/cases beside bpmn/), or an empty document."""
    path = bpmn_dir.parent / "bpmn_tests" / "cases" / f"{process_id}.json"
    return read_case_document(path) if path.is_file() else empty_document(process_id)
