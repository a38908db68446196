"""Figures of the case interpreter (engine/casework + handlers/casework): a registered person from the factory
against one driven through the whole 4.1.2, and every shipped flow's cases in the modeler's sandbox.

Run: .venv/bin/python bench/casework.py [--n 10] [--db sqlite|postgresql]   (quote `uptime` with the figures)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import describe, fresh_database, timed  # noqa: E402
from engine.casework import run_case, shipped_document  # noqa: E402
from engine.library.catalog import deploy_directory  # noqa: E402
from engine.library.definitions import read_definition_files  # noqa: E402
from handlers.casework import fresh_adults, register_directly  # noqa: E402
from juki import seed_population  # noqa: E402
from webui import create_app  # noqa: E402
from webui.library.sandbox import run_draft_cases  # noqa: E402

BPMN = Path(__file__).resolve().parent.parent / "bpmn"


def registration_case() -> dict:
    """4.1.2's shipped case that registers a fresh adult with photo ID."""
    cases = shipped_document(BPMN, "sokuji_touroku")["cases"]
    return next(c for c in cases if c.get("expect", {}).get("end_event") == "end_registered"
                and c.get("applicant", "fresh") == "fresh" and "guarantor" not in c)


def registered_people(url: str, n: int) -> None:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789", "IN_PROCESS_WORKER": False})
    product = app.extensions["inkan"]
    with product.session_factory.begin() as session:
        deploy_directory(session, BPMN, product.handlers, actor="bench")
        seed_population(session, today=product.services.today())
    world, case = product.case_world(), registration_case()

    def through_4_1_2() -> None:
        assert run_case(product.runner, "sokuji_touroku", case, world).passed

    def by_the_factory() -> None:
        with product.session_factory.begin() as session:
            resident_id = fresh_adults(session, product.services.today(), world.used)[0]
            register_directly(session, product.services, resident_id)

    through_4_1_2(), by_the_factory()  # warm: the generated seal is drawn and measured once per process
    print(describe(f"registered person, 4.1.2 case {case['id']}", timed(through_4_1_2, n)))
    print(describe("registered person, handlers.casework.register_directly", timed(by_the_factory, n)))


def sandbox_suites() -> None:
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "bench-secret-key-0123456789",
                      "IN_PROCESS_WORKER": False})
    neighbours = [read_definition_files(path) for path in sorted(BPMN.glob("*.bpmn"))]
    for path in sorted(BPMN.glob("*.bpmn")):
        xml, forms = read_definition_files(path)
        document = shipped_document(BPMN, path.stem)
        start = time.perf_counter()
        report = run_draft_cases(app.config, xml, forms, document, neighbours)
        seconds = time.perf_counter() - start
        print(f"modeler sandbox {path.stem:<22} {report.ran:3d} cases  {seconds:6.1f} s  "
              f"({seconds / max(report.ran, 1):4.2f} s/case)  failed {report.failed or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    with fresh_database(args.db) as url:
        registered_people(url, args.n)
    sandbox_suites()


if __name__ == "__main__":
    main()
