"""Existing databases (issue 12, point 4): migration 0011 converts the stored versions' Python expressions and
scripts to CEL and declarative properties, stops (changing nothing) when it meets what it cannot convert, and
instances started before it continue on their version afterwards.

The fixture is the shipped definitions as they were before the change (every condition, parameter, timer and
script in Python), frozen in data/python_era_definitions.tar.xz."""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import tarfile
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import sessionmaker

from conftest import _create_pg_database, _drop_pg_database, make_database, make_test_app
from engine.actor import Actor
from engine.library.catalog import deploy
from engine.library.definitions import parse_definition, read_forms
from engine.models import ProcessDefinition
from handlers import build_registry
from juki import seed_population
from tests.support.flow import RegistrationDriver
from webui.schema import alembic_config

DATA = Path(__file__).parent / "data"
MIGRATION = Path(__file__).resolve().parents[2] / "webui" / "migrations" / "versions" / "0011_cel_expressions.py"
PYTHON_SHAPES = re.compile(r"\w\['|\bnot |\band\b|\bor\b|\bNone\b|\bTrue\b|\bFalse\b|preScript|postScript")


@functools.cache
def _migration():
    spec = importlib.util.spec_from_file_location("cel_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def python_era(tmp_path_factory) -> tuple[dict[str, str], dict[str, dict]]:
    """({process_id: BPMN XML}, forms) of the shipped definitions before CEL."""
    folder = tmp_path_factory.mktemp("python_era")
    with tarfile.open(DATA / "python_era_definitions.tar.xz") as archive:
        archive.extractall(folder, filter="data")
    xmls = {path.stem: path.read_text(encoding="utf-8") for path in sorted((folder / "bpmn").glob("*.bpmn"))}
    return xmls, read_forms(folder / "bpmn" / "forms")


def _expression_texts(xml: str) -> list[str]:
    migration = _migration()
    from lxml import etree

    return [read() for _, read, _ in migration._expression_slots(etree.fromstring(xml.encode("utf-8")))]


def test_every_shipped_definition_of_the_python_era_converts_and_passes_the_save_checks(python_era):
    xmls, forms = python_era
    migration = _migration()
    assert len(xmls) == 12
    for process_id, xml in xmls.items():
        assert any(PYTHON_SHAPES.search(t) for t in _expression_texts(xml)), process_id  # really the old shapes
        converted, problems = migration.convert_document(xml, forms)
        assert problems == [], (process_id, problems)
        assert not any(PYTHON_SHAPES.search(t) for t in _expression_texts(converted)), process_id
        assert "Script>" not in converted
        parse_definition(converted, forms, build_registry())  # strict: CEL compiles, every variable is known


def test_the_conversion_of_each_shape():
    to_cel = _migration().to_cel
    assert to_cel("a['b']") == "a.b"
    assert to_cel("not a['ok'] and (x == 'y' or x != 'z')") == "!a.ok && (x == 'y' || x != 'z')"
    assert to_cel("reason in ('a', 'b')") == "reason in ['a', 'b']"
    assert to_cel("reason not in ['a']") == "!(reason in ['a'])"
    assert to_cel("a['x'] if not c else None") == "(!c ? a.x : null)"
    assert to_cel("{'k': v, 'n': 1}") == "{'k': v, 'n': 1}"
    assert to_cel("a['in']") == "a['in']"  # a CEL keyword stays an index
    for unconvertible in ("len(x) > 1", "x.strip()", "__import__('os')", "a[0:2]", "lambda: 1", "x + 1"):
        with pytest.raises(_migration().Unconvertible):
            to_cel(unconvertible)


def _at_0010(tmp_path_factory, kind: str) -> str:
    """A new database migrated up to 0010, the last revision before CEL."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'inkan.sqlite3'}"
    else:
        url = _create_pg_database()
    command.upgrade(alembic_config(url), "0010")
    return url


def _insert_versions(url: str, rows: list[tuple[str, str, dict]]) -> None:
    """Stored versions as deploy stores them: the XML and the forms it names."""
    engine = create_engine(url)
    with engine.begin() as connection:
        for process_id, xml, forms in rows:
            connection.execute(text(
                "INSERT INTO process_definition (process_id, name, content_hash, bpmn_xml, forms_json, source, note,"
                " is_active, created_by, created_at) VALUES (:p, :p, :h, :x, :f, 'test', '', :a, 'test', "
                "CURRENT_TIMESTAMP)"),
                {"p": process_id, "h": f"{process_id:0<64}"[:64], "x": xml, "f": json.dumps(_used(xml, forms)),
                 "a": True})
    engine.dispose()


def _used(xml: str, forms: dict) -> dict:
    names = set(re.findall(r'name="formJsonSchemaFilename" value="([^"]+)"', xml))
    return {name: forms[name] for name in sorted(names)}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_migration_converts_every_stored_version(python_era, tmp_path_factory, kind):
    xmls, forms = python_era
    url = _at_0010(tmp_path_factory, kind)
    _insert_versions(url, [(pid, xml, forms) for pid, xml in xmls.items()])
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    with sessionmaker(engine)() as session:
        stored = session.scalars(select(ProcessDefinition)).all()
        assert len(stored) == 12
        for definition in stored:
            parsed = parse_definition(definition.bpmn_xml, json.loads(definition.forms_json), build_registry())
            assert definition.content_hash == parsed.content_hash  # the version names its converted content
            assert "[0011]" in definition.note
    engine.dispose()
    if kind == "postgresql":
        _drop_pg_database(url)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_version_it_cannot_convert_stops_the_migration_and_nothing_changes(python_era, tmp_path_factory, kind):
    xmls, forms = python_era
    url = _at_0010(tmp_path_factory, kind)
    odd = xmls["teishi_kaijo"].replace("not lifting['done']", "len(lifting) == 0", 1)
    assert odd != xmls["teishi_kaijo"]
    _insert_versions(url, [("sokuji_touroku", xmls["sokuji_touroku"], forms), ("teishi_kaijo", odd, forms)])
    with pytest.raises(RuntimeError, match=r"teishi_kaijo.*len\(lifting\) == 0"):
        command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT bpmn_xml FROM process_definition WHERE process_id = 'sokuji_touroku'"))\
            .scalar_one() == xmls["sokuji_touroku"]
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0010"
    engine.dispose()
    if kind == "postgresql":
        _drop_pg_database(url)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_an_instance_started_before_the_migration_continues_on_its_version(python_era, tmp_path_factory, kind):
    """The state of a running instance holds no expression: once its version is converted it runs on."""
    xmls, forms = python_era
    url = make_database(kind, tmp_path_factory)
    product = _seeded_product(url, tmp_path_factory)
    converted, problems = _migration().convert_document(xmls["sokuji_touroku"], forms)
    assert problems == []
    with product.session_factory.begin() as session:
        deploy(session, parse_definition(converted, forms, product.handlers), actor="test", source="test")
    driver = RegistrationDriver(product)
    outcome = driver.to_scan(driver.fresh_resident())  # waiting at the back office's scan
    engine = create_engine(url)
    with engine.begin() as connection:  # the stored version as it was before 0011: Python in its XML
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        connection.execute(text("UPDATE process_definition SET bpmn_xml = :x"), {"x": xmls["sokuji_touroku"]})
        connection.execute(text("UPDATE alembic_version SET version_num = '0010'"))
    command.upgrade(alembic_config(url), "0011")  # only the conversion: the later revisions' tables are there
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    engine.dispose()
    product = _seeded_product(url, tmp_path_factory, seed=False)  # a new process: nothing cached
    driver = RegistrationDriver(product)
    back = Actor("backyard", "backyard")
    outcome = driver.step(outcome, back, {"scan_blob_id": driver.scan("継続")})
    outcome = driver.step(outcome, back, {"impression_decision": "accept"})
    outcome = driver.step(outcome, back, {"card_kind": "registration_card"})
    outcome = driver.step(outcome, Actor("madoguchi", "madoguchi"), {"handed_over": True})
    assert outcome.status == "completed" and outcome.incident_id is None
    product.session_factory.kw["bind"].dispose()
    if kind == "postgresql":
        _drop_pg_database(url)


def _seeded_product(url: str, tmp_path_factory, seed: bool = True):
    product = make_test_app(url, tmp_path_factory).extensions["inkan"]
    if seed:
        with product.session_factory.begin() as session:
            seed_population(session, today=product.services.today())
    return product
