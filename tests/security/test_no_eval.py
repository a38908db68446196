"""Nothing authored ever runs as Python (issue 12): no module of the product calls eval, exec or compile, or
imports a module by a computed name."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("engine", "handlers", "registry", "juki", "imaging", "printing", "webui")
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "execfile"}
FORBIDDEN_ATTRIBUTES = {("builtins", "eval"), ("builtins", "exec"), ("builtins", "compile"),
                        ("importlib", "import_module"), ("code", "InteractiveInterpreter")}


def _modules() -> list[Path]:
    return sorted(path for package in PRODUCT for path in (ROOT / package).rglob("*.py"))


def test_no_module_runs_text_as_python():
    modules = _modules()
    assert len(modules) > 200  # the whole product is scanned
    found = [f"{path.relative_to(ROOT)}: {problem}" for path in modules for problem in _findings(path)]
    assert not found, found


def _findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
            found.append(f"{node.func.id}() line {node.lineno}")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and (node.value.id, node.attr) in FORBIDDEN_ATTRIBUTES:
            found.append(f"{node.value.id}.{node.attr} line {node.lineno}")
    return found


def test_the_scan_finds_what_it_looks_for(tmp_path):
    """The scan is not blind: a module calling eval is caught."""
    probe = tmp_path / "probe.py"
    probe.write_text("import importlib\ndef f(text):\n    importlib.import_module(text)\n    return eval(text)\n",
                     encoding="utf-8")
    assert sorted(_findings(probe)) == ["eval() line 4", "importlib.import_module line 3"]
