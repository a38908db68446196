"""The house's layering, read from the code's own imports: webui → engine → handlers → registry / juki / imaging /
printing, never the other way; inside the engine its rooms (runtime → library → evidence → the foundation at the
top of engine/) and inside handlers the linkage, operators and services as README's "Layout" says."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("webui", "engine", "handlers", "registry", "juki", "imaging", "printing")
# Rooms and modules are named as paths (engine/library), since a room may carry an old module's dotted name.
ENGINE_FOUNDATION = {"engine", "engine/actor", "engine/contracts", "engine/database", "engine/db", "engine/errors", "engine/outcomes",
                     "engine/jsonvalues", "engine/models"}

# package → the product packages it may import (itself always)
MAY_IMPORT = {
    "webui": set(PRODUCT),
    "engine": {"engine", "handlers"},  # handlers only through the operator seam, see below
    "handlers": {"handlers", "registry", "juki", "imaging", "printing"},
    "registry": {"registry", "imaging", "printing"},
    "juki": {"juki"},
    "imaging": {"imaging"},
    "printing": {"printing"},
}
# engine room → the engine rooms it may import (besides the foundation)
ENGINE_ROOMS = {
    "engine/evidence": set(),
    "engine/library": {"engine/evidence"},
    "engine/runtime": {"engine/library", "engine/evidence"},
    "engine/casework": {"engine/runtime", "engine/library", "engine/evidence"},
}
# HandlerRegistry, ServiceContext, Subject, and the types of what handlers answer
ENGINE_MAY_USE_OF_HANDLERS = {"handlers", "handlers/base", "handlers/contracts"}


def imports_of(path: Path, *, runtime_only: bool = False) -> list[tuple[int, str]]:
    """(line, module as a path) of each absolute import of a product module; `from a import b` names a/b when b is
    a module. runtime_only leaves out the imports under `if TYPE_CHECKING:`, which never run."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {id(inner) for node in ast.walk(tree)
                 if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
                 for stmt in node.body for inner in ast.walk(stmt)} if runtime_only else set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                dotted = f"{node.module}.{alias.name}"
                as_path = ROOT.joinpath(*dotted.split("."))
                is_module = as_path.with_suffix(".py").exists() or as_path.is_dir()
                found.append((node.lineno, dotted if is_module else node.module))
    return [(line, name.replace(".", "/")) for line, name in found if name.split(".")[0] in PRODUCT]


def sources(package: str) -> list[Path]:
    return [p for p in sorted((ROOT / package).rglob("*.py"))
            if "migrations" not in p.parts and "vendor" not in p.parts]


def module_of(path: Path) -> str:
    return "/".join(path.relative_to(ROOT).with_suffix("").parts)


def violations(package: str, allowed) -> list[str]:
    found = []
    for path in sources(package):
        importer = module_of(path)
        for line, imported in imports_of(path):
            if not allowed(importer, imported):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return found


@pytest.mark.parametrize("package", PRODUCT)
def test_a_package_imports_only_the_layers_below_it(package):
    assert violations(package, lambda _, imported: imported.split("/")[0] in MAY_IMPORT[package]) == []


def _engine_room(module: str) -> str:
    parts = module.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else module


def test_the_engine_knows_handlers_only_by_their_operator_seam():
    assert violations("engine", lambda _, imported: not imported.startswith("handlers")
                      or imported in ENGINE_MAY_USE_OF_HANDLERS) == []


def test_the_engine_rooms_import_downwards_only():
    def allowed(importer: str, imported: str) -> bool:
        if not imported.startswith("engine") or imported in ENGINE_FOUNDATION:
            return True
        room, target = _engine_room(importer), _engine_room(imported)
        if importer in ENGINE_FOUNDATION:
            return False  # the foundation stands below every room
        return room == target or target in ENGINE_ROOMS[room]

    assert violations("engine", allowed) == []


def test_the_engine_does_not_know_the_resident_register():
    """住民記録連動 (intake, triage, processing) lives in handlers/linkage; no engine file names 住基 things."""
    named = [f"{p.relative_to(ROOT)}" for p in sources("engine")
             if any(word in p.read_text(encoding="utf-8") for word in ("ResidentEvent", "住基", "juki."))]
    assert named == []


def test_the_linkage_and_the_services_do_not_import_the_operators_they_serve():
    """Operators (called by the engine by operator id) may use services and the linkage; the linkage uses neither."""
    assert violations("handlers/linkage", lambda _, imported: not imported.startswith(
        ("handlers/operators", "handlers/services", "handlers/casework"))) == []


def test_every_metadata_of_the_schema_has_the_same_naming_convention():
    """Each package declares its own base (the engine does not import the registry's); Alembic sees them as one
    schema, so their constraint names must follow one convention."""
    from webui.schema import METADATA

    conventions = {tuple(sorted(metadata.naming_convention.items(), key=lambda kv: str(kv[0])))
                   for metadata in METADATA}
    assert len(conventions) == 1


def test_no_module_imports_itself_back():
    """No circle of imports that run (the OpenAPI document's parts build on webui/api/openapi_builders.py, not on
    it); imports for type checking only do not run, so they make no circle.

    A module importing its own package's root (``webui.cli.main`` → ``webui.create_app``) is no circle: Python
    has imported that root before the module anyway."""
    modules = {module_of(path): path for package in PRODUCT for path in sources(package)}
    graph = {module: {target for _, imported in imports_of(path, runtime_only=True)
                      for target in (imported, f"{imported}/__init__") if target in modules and target != module
                      and not (target.endswith("/__init__") and module.startswith(target[:-len("__init__")]))}
             for module, path in modules.items()}
    assert [sorted(circle) for circle in _circles(graph)] == []


def _circles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[set[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    circles.append(component)
    return circles
