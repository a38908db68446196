"""Scenario runner support: one JSON file of cases per .bpmn, run through the real engine and handlers."""

from __future__ import annotations

import json
from pathlib import Path

CASES_DIR = Path(__file__).parent / "cases"


def case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.json"))


def load_cases() -> list[tuple[str, dict]]:
    """(process_id, case) for every case of every file."""
    out = []
    for path in case_files():
        document = json.loads(path.read_text(encoding="utf-8"))
        out.extend((document["process_id"], case) for case in document["cases"])
    return out
