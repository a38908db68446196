"""Run a draft's test cases in a throw-away database, never in the city's: registrations made by a test stay there.

The sandbox is a new SQLite file migrated to the current schema and seeded with the simulated population; the
draft is deployed into it as the active version beside the other processes' active versions, and every case runs
through the one case interpreter (engine.casework with the product's world) on the real engine and handlers —
the same that `pytest bpmn_tests` runs. Whatever the city's configuration, the sandbox uses the simulated 住基 and
J-LIS and calls no card system.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from engine.casework import Replay, SuiteReport, replay_steps, run_suite
from engine.library.catalog import deploy
from engine.library.definitions import ParsedDefinition, parse_definition
from juki import seed_population
from webui.schema import upgrade
from webui.wiring import Product, build_product

__all__ = ["replay_draft_case", "run_draft_cases"]

SANDBOX_CONFIG = {"JUKI": "simulator", "CARD_SYSTEM_URL": ""}  # never the city's 住基 or card system

_TEMPLATES: dict[date, Path] = {}
_TEMPLATE_LOCK = threading.Lock()


@contextmanager
def sandbox(config, bpmn_xml: str, forms: dict[str, dict],
            neighbours: list[tuple[str, dict]] = ()) -> Iterator[tuple[Product, str]]:
    """A product on a new database with the definition active, beside `neighbours` (the other processes' active
    versions, which a flow may start as a follow-up); (product, process id). Raise DefinitionError."""
    folder = Path(tempfile.mkdtemp(prefix="inkan-sandbox-"))
    try:
        url = f"sqlite:///{folder / 'sandbox.sqlite3'}"
        product = build_product(dict(config) | SANDBOX_CONFIG | {"DATABASE_URL": url})
        shutil.copyfile(_seeded_template(product.services.today()), folder / "sandbox.sqlite3")
        parsed = parse_definition(bpmn_xml, forms, product.handlers, source="draft")
        with product.session_factory.begin() as session:
            for xml, neighbour_forms in neighbours:
                neighbour = _parsed_neighbour(xml, json.dumps(neighbour_forms, sort_keys=True, ensure_ascii=False))
                if neighbour.process_id != parsed.process_id:
                    deploy(session, neighbour, actor="sandbox", source="active")
            deploy(session, parsed, actor="sandbox", source="draft")
        try:
            yield product, parsed.process_id
        finally:
            product.services.imaging_pool.shutdown()  # its processes go with the throw-away product
            product.session_factory.kw["bind"].dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _seeded_template(today: date) -> Path:
    """A migrated SQLite file seeded with the simulated population as of `today`, made once per process and day;
    every sandbox starts from a copy of it (migrating and seeding take seconds, copying milliseconds)."""
    with _TEMPLATE_LOCK:
        path = _TEMPLATES.get(today)
        if path is None or not path.is_file():
            folder = Path(tempfile.mkdtemp(prefix="inkan-sandbox-template-"))
            atexit.register(shutil.rmtree, folder, True)
            path = folder / "template.sqlite3"
            url = f"sqlite:///{path}"
            upgrade(url)
            engine = create_engine(url)
            with sessionmaker(engine).begin() as session:
                seed_population(session, today=today)
            engine.dispose()
            _TEMPLATES[today] = path
        return path


@lru_cache(maxsize=64)
def _parsed_neighbour(bpmn_xml: str, forms_json: str) -> ParsedDefinition:
    """An active version, parsed once: versions never change, and parsing with the XSD takes tens of ms."""
    return parse_definition(bpmn_xml, json.loads(forms_json), None, source="active")


def run_draft_cases(config, bpmn_xml: str, forms: dict[str, dict], document: dict,
                    neighbours: list[tuple[str, dict]] = (), *, reuse: bool = False) -> SuiteReport:
    """Every case of the document against the definition, in a sandbox. With `reuse`, the report of an identical
    run this process made earlier today is taken instead (the deploy gate right after the manager's test run):
    the same definition, cases and neighbours on the same day give the same verdict."""
    key = _run_key(bpmn_xml, forms, document, neighbours)
    if reuse and (report := _RECENT.get(key)) is not None:
        return report
    with sandbox(config, bpmn_xml, forms, neighbours) as (product, process_id):
        report = run_suite(product.runner, process_id, document, product.case_world(), bpmn_xml)
    _RECENT.put(key, report)
    return report


def _run_key(bpmn_xml: str, forms: dict, document: dict, neighbours) -> str:
    parts = [bpmn_xml, forms, document, [list(n) for n in neighbours], date.today().isoformat()]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


class _RecentReports:
    """The last few suite reports of this process, by what was run."""

    def __init__(self, size: int) -> None:
        self.size, self.reports, self.lock = size, OrderedDict[str, SuiteReport](), threading.Lock()

    def get(self, key: str) -> SuiteReport | None:
        with self.lock:
            return self.reports.get(key)

    def put(self, key: str, report: SuiteReport) -> None:
        with self.lock:
            self.reports[key] = report
            while len(self.reports) > self.size:
                self.reports.popitem(last=False)


_RECENT = _RecentReports(16)


def replay_draft_case(config, bpmn_xml: str, forms: dict[str, dict], case: dict,
                      neighbours: list[tuple[str, dict]] = ()) -> Replay:
    """The recorder's step: replay the steps so far in a sandbox and say what comes next."""
    with sandbox(config, bpmn_xml, forms, neighbours) as (product, process_id):
        return replay_steps(product.runner, process_id, case, product.case_world())

