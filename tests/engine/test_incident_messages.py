"""A value the database refuses in a service task becomes an incident with a Japanese summary; the database's raw
text stays in the incident's traceback, which only the system administrator sees on the instance page."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DataError

from engine.actor import Actor
from engine.library.catalog import SpecCache, deploy
from engine.library.definitions import parse_definition, read_definition_files
from engine.models import Incident
from engine.runtime.runner import WorkflowRunner
from handlers import HandlerRegistry, ServiceContext
from handlers.base import DatabaseRefused, Handler, database_refusal
from registry.seals.models import Impression, Registration
from tests.engine.conftest import DATA

COUNTER = Actor("madoguchi", "madoguchi")
RAW = ("null value in column", "NOT NULL constraint failed", "value too long", "StringDataRightTruncation")


def runner_with(product, handler) -> WorkflowRunner:
    """The mini process (tests/engine/data/mini.bpmn) whose service task runs `handler`."""
    handlers = HandlerRegistry()
    handlers.register("test.flaky", function_id="test", title="テスト用")(handler)
    runner = WorkflowRunner(product.session_factory, handlers, SpecCache(),
                            lambda **kw: ServiceContext(services=product.services, **kw))
    xml, forms = read_definition_files(DATA / "mini.bpmn")
    with product.session_factory.begin() as session:
        deploy(session, parse_definition(xml, forms, handlers, source="mini.bpmn"), actor="test", source="mini.bpmn")
    return runner


def write_incomplete_impression(ctx: ServiceContext, amount: int) -> dict:
    ctx.session.add(Impression(resident_id=None, image_blob="0" * 64, scan_blob="0" * 64, dpi=300.0,
                               mm_per_px=0.1, width_mm=15.0, height_mm=15.0, square_mm=15.0, shape="round",
                               stored_by=ctx.actor))
    return {"doubled": amount * 2}


def write_overlong_address(ctx: ServiceContext, amount: int) -> dict:
    record = ctx.session.scalars(select(Registration).limit(1)).one()
    record.address = "長" * (Registration.address.type.length + 1)
    return {"doubled": amount * 2}


def incident_after(product, runner) -> Incident:
    started = runner.start("mini", COUNTER)
    outcome = runner.complete(started.next_task_id, COUNTER, {"amount": 1})
    assert outcome.status == "error" and outcome.incident_id
    with product.session_factory() as session:
        return session.get(Incident, outcome.incident_id)


def test_a_refused_row_is_a_japanese_incident_with_the_raw_text_kept_for_admins(product, login):
    incident = incident_after(product, runner_with(product, write_incomplete_impression))
    assert incident.error_code == "conflicting_data" and incident.error_type == "DatabaseRefused"
    assert incident.message.startswith("他のデータと重複または矛盾するため保存できません")
    assert not any(raw in incident.message for raw in RAW)
    assert any(raw in incident.traceback for raw in RAW)  # the database's own words, for the operators
    admin_page = login("admin").get(f"/instances/{incident.instance_id}").get_data(as_text=True)
    clerk_page = login("madoguchi").get(f"/instances/{incident.instance_id}").get_data(as_text=True)
    assert incident.message in admin_page and incident.message in clerk_page
    assert "技術情報（システム管理者のみ）" in admin_page and "技術情報" not in clerk_page
    assert not any(raw in clerk_page for raw in RAW)


def test_a_value_too_long_for_its_column_is_a_japanese_incident(product, driver, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite does not enforce column lengths; PostgreSQL refuses the value")
    driver.register()
    incident = incident_after(product, runner_with(product, write_overlong_address))
    assert incident.error_code == "value_not_storable"
    assert "保存できない値" in incident.message and not any(raw in incident.message for raw in RAW)
    assert "value too long" in incident.traceback


def test_every_database_refusal_has_a_japanese_summary():
    orig = Exception('value too long for type character varying(300)')
    refusal = database_refusal(DataError("UPDATE registration SET address=%s", ("x",), orig))
    assert isinstance(refusal, DatabaseRefused) and refusal.code == "value_not_storable"
    assert "varying" not in refusal.message

    def failing(ctx):
        raise DataError("INSERT …", (), orig)

    handler = Handler("test.x", "test", "テスト", failing, ())
    with pytest.raises(DatabaseRefused) as raised:
        handler.call(ServiceContext(session=None, actor="t", instance_id=1, task_name="t", services=None), {})
    assert isinstance(raised.value.__cause__, DataError)  # the chain keeps the raw error for the traceback
