"""Where the scenario cases come from: bpmn_tests/cases/*.json, or the folder INKAN_BPMN_CASES names (a test runs
one case file both through pytest and through the modeler and compares the verdicts)."""

from __future__ import annotations

import os
from pathlib import Path

CASES_DIR = Path(os.environ.get("INKAN_BPMN_CASES") or Path(__file__).parent / "cases")
