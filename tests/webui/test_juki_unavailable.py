"""Failure of the neighbour: with the register unreachable, the service task that asks it fails as an incident
carrying 'juki_unavailable' and a Japanese message, nothing of the step is written, and a retry once the register
answers again carries the case on. Pages asking the register show the message instead of a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from engine.actor import Actor
from engine.models import Incident
from juki.http import HttpRegister
from registry.seals.models import Application
from tests.support.flow import COUNTER, IDENTIFY

ADMIN = Actor("admin", "admin")


def dead_register() -> HttpRegister:
    server = make_server("127.0.0.1", 0, lambda environ, start: [])
    port = server.server_port
    server.server_close()  # nothing listens there any more
    return HttpRegister(f"http://127.0.0.1:{port}", timeout=2, connect_timeout=1)


@pytest.fixture
def register_down(product):
    working = product.services.juki_factory
    product.services.juki_factory = dead_register()
    yield
    product.services.juki_factory = working


def test_unreachable_register_is_an_incident_that_can_be_retried(product, driver):
    resident_id = driver.fresh_resident()
    outcome = driver.start(resident_id)
    working = product.services.juki_factory
    product.services.juki_factory = dead_register()
    try:
        failed = driver.step(outcome, COUNTER, {"resident_id": resident_id} | IDENTIFY)
    finally:
        product.services.juki_factory = working
    assert failed.incident_id is not None
    with product.session_factory() as session:
        incident = session.get(Incident, failed.incident_id)
        assert incident.error_code == "juki_unavailable" and "住民記録システムに接続できません" in incident.message
        assert session.scalars(select(Application).where(Application.instance_id == failed.instance_id,
                                                         Application.status != "open")).first() is None
    retried = product.runner.retry(failed.incident_id, ADMIN)
    assert retried.incident_id is None and retried.status not in ("error",)
    with product.session_factory() as session:
        assert session.get(Incident, failed.incident_id).resolved_at is not None


def test_pages_show_the_message_when_the_register_is_down(login, register_down):
    page = login("madoguchi").get("/residents", query_string={"kana": "ヤマダ"})
    assert page.status_code in (200, 422, 503)
    assert "住民記録システムに接続できません" in page.get_data(as_text=True)
    simulator = login("admin").get("/admin/juki", query_string={"q": "ヤマダ"})  # the simulator itself still works
    assert simulator.status_code == 200 and "ヤマダ" in simulator.get_data(as_text=True)
