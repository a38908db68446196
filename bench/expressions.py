"""Expression evaluation on the shipped conditions: CEL as the engine runs it, against the alternatives.

Runs real 4.1.2 registrations (and a 6.1 counter certificate flow's conditions as they come) on a fresh SQLite
database, records every (expression, task data) pair the engine evaluates, then times each evaluator over those
pairs: the product's CEL (the `common-expression-language` library), `cel-python` (if installed), and the Python
`eval` of the restricted environment used before issue 12 (reconstructed here from the Python-era definitions in
tests/security/data, for the before / after figure only — the product has no Python evaluation any more).

    .venv/bin/python bench/expressions.py [--registrations 5] [--repeat 200]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database  # noqa: E402
from engine.library import expressions, script_engine  # noqa: E402
from engine.library.catalog import deploy_directory  # noqa: E402
from juki import seed_population  # noqa: E402
from tests.support.flow import RegistrationDriver  # noqa: E402
from webui import create_app  # noqa: E402


def record_pairs(registrations: int) -> list[tuple[str, dict]]:
    """(source, data) of every expression the engine evaluated while registering people."""
    pairs: list[tuple[str, dict]] = []
    real = script_engine.evaluate

    def recording(source, data):
        variables = expressions.referenced_variables(source)
        pairs.append((source, {name: data.get(name) for name in variables}))
        return real(source, data)

    with fresh_database("sqlite") as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" * 8, "IN_PROCESS_WORKER": False})
        product = app.extensions["inkan"]
        with product.session_factory.begin() as session:
            deploy_directory(session, product.bpmn_dir, product.handlers, actor="bench")
            seed_population(session, today=product.services.today())
        script_engine.evaluate = recording
        try:
            driver = RegistrationDriver(product)
            for _ in range(registrations):
                driver.register()
        finally:
            script_engine.evaluate = real
        product.session_factory.kw["bind"].dispose()
    return pairs


def python_era_sources() -> dict[str, str]:
    """{CEL source: the Python source it was converted from} over the shipped definitions."""
    spec = importlib.util.spec_from_file_location(
        "cel_migration", ROOT / "webui" / "migrations" / "versions" / "0011_cel_expressions.py")
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    from lxml import etree

    mapping = {}
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(ROOT / "tests" / "security" / "data" / "python_era_definitions.tar.xz") as archive:
            archive.extractall(folder, filter="data")
        for path in Path(folder, "bpmn").glob("*.bpmn"):
            root = etree.fromstring(path.read_bytes())
            for _, read, _ in migration._expression_slots(root):
                source = read().strip()
                if source:
                    mapping[migration.to_cel(source)] = source
    return mapping


def time_each(pairs, evaluate, repeat: int) -> list[float]:
    """Microseconds per evaluation: for each pair, the median of `repeat` runs."""
    out = []
    for source, data in pairs:
        evaluate(source, data)  # compile and cache outside the timing
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            evaluate(source, data)
            runs.append((time.perf_counter() - start) * 1e6)
        out.append(statistics.median(runs))
    return out


def celpy_evaluator():
    try:
        import celpy
    except ImportError:
        return None
    environment, programs = celpy.Environment(), {}

    def evaluate(source, data):
        if source not in programs:
            programs[source] = environment.program(environment.compile(source))
        activation = {name: celpy.json_to_cel(value) for name, value in data.items()}
        return programs[source].evaluate(activation)

    return evaluate


def python_evaluator(mapping: dict[str, str]):
    """The pre-CEL restricted environment's evaluation (compiled once, `eval` over a whitelist of builtins)."""
    safe = {name: getattr(__builtins__, name, None) or __builtins__[name]  # type: ignore[index]
            for name in ("bool", "len", "str", "int", "any", "all")}
    compiled = {}

    def evaluate(source, data):
        python = mapping[source]
        if python not in compiled:
            compiled[python] = compile(python, "<bpmn>", "eval")
        return eval(compiled[python], {"__builtins__": safe, **data})  # noqa: S307 — the old way, measured

    return evaluate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    pairs = record_pairs(args.registrations)
    distinct = {source for source, _ in pairs}
    print(f"{len(pairs)} evaluations recorded over {args.registrations} registrations, "
          f"{len(distinct)} distinct expressions")
    mapping = python_era_sources()
    # the same evaluations for every candidate: those with a Python-era equivalent (conditions added since the move
    # to CEL have none)
    pairs = [(source, data) for source, data in pairs if source in mapping]
    print(f"compared: {len(pairs)} evaluations of {len({s for s, _ in pairs})} expressions that had a Python form")
    candidates = [("CEL, common-expression-language (the product)", expressions.evaluate)]
    if (celpy := celpy_evaluator()) is not None:
        candidates.append(("CEL, cel-python", celpy))
    candidates.append(("Python eval, restricted globals (before)", python_evaluator(mapping)))
    for label, evaluate in candidates:
        micros = sorted(time_each(pairs, evaluate, args.repeat))
        p90 = micros[int(len(micros) * 0.9) - 1]
        print(f"{label:<50} median {statistics.median(micros):8.1f} µs   p90 {p90:8.1f} µs   max {micros[-1]:8.1f} µs")


if __name__ == "__main__":
    main()
