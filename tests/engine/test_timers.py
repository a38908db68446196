"""Timers: a waiting timer gets a due-time row; the worker fires it once, and only when due."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import select

from engine.actor import Actor
from engine.catalog import deploy
from engine.db import utcnow
from engine.definitions import parse_definition, read_definition_files
from engine.models import ProcessInstance, Timer
from engine.queries import open_tasks_of_instance
from engine.worker import run_worker
from tests.engine.conftest import DATA


def test_worker_fires_a_due_timer_once(product, mini):
    xml, forms = read_definition_files(DATA / "mini_timer.bpmn")
    with product.session_factory.begin() as session:
        deploy(session, parse_definition(xml, forms, mini.handlers), actor="test", source="mini_timer.bpmn")
    started = mini.runner.start("mini_timer", Actor("madoguchi", "madoguchi"))
    assert started.status == "waiting" and started.next_task_id is None
    with product.session_factory() as session:
        timer = session.scalars(select(Timer).where(Timer.instance_id == started.instance_id)).one()
        assert timedelta(0) < timer.due_at - utcnow() <= timedelta(seconds=2)
    assert mini.runner.fire_due_timers() == 0  # not due yet
    time.sleep(1.2)
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(mini.runner, stop, 0.05))
    worker.start()
    deadline = time.time() + 10
    while time.time() < deadline:
        with product.session_factory() as session:
            if session.get(ProcessInstance, started.instance_id).status == "running":
                break
        time.sleep(0.05)
    stop.set()
    worker.join()
    with product.session_factory() as session:
        assert session.get(ProcessInstance, started.instance_id).status == "running"
        assert [t.spec_name for t in open_tasks_of_instance(session, started.instance_id)] == ["task_enter"]
        assert session.get(Timer, timer.id).fired_at is not None
    assert mini.runner.fire_due_timers() == 0  # fired rows are never fired again
