"""Timers: a waiting timer gets a due-time row; the worker fires it once, and only when due."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

from sqlalchemy import select

from engine.actor import Actor
from engine.db import utcnow
from engine.library.catalog import deploy
from engine.library.definitions import parse_definition, read_definition_files
from engine.library.migration import migrate_instances
from engine.models import ProcessDefinition, ProcessInstance, Timer
from engine.runtime.queries import open_tasks_of_instance
from engine.runtime.runner import RunOutcome
from engine.runtime.worker import run_worker
from tests.engine.conftest import DATA


def test_a_timer_fires_once_and_only_when_due(product, mini):
    """The clock is given to fire_due_timers (now=…), never waited for."""
    started, timer = _start_mini_timer(product, mini)
    assert mini.runner.fire_due_timers(now=timer.due_at - timedelta(milliseconds=1)) == 0  # not due yet
    assert _status(product, started.instance_id) == "waiting"
    assert mini.runner.fire_due_timers(now=timer.due_at) == 1
    with product.session_factory() as session:
        assert session.get(ProcessInstance, started.instance_id).status == "running"
        assert [t.spec_name for t in open_tasks_of_instance(session, started.instance_id)] == ["task_enter"]
        assert session.get(Timer, timer.id).fired_at == timer.due_at
    assert mini.runner.fire_due_timers(now=timer.due_at + timedelta(days=1)) == 0  # fired rows never fire again


def test_the_worker_round_fires_due_timers(product, mini):
    """One round of run_worker (its last job stops it), on a timer already due."""
    started, timer = _start_mini_timer(product, mini)
    with product.session_factory.begin() as session:  # the given state: the timer's time has come
        session.get(Timer, timer.id).due_at = utcnow() - timedelta(seconds=1)
    stop = threading.Event()
    run_worker(mini.runner, stop, 0.0, rounds=(lambda: stop.set() or 0,))
    assert stop.is_set() and _status(product, started.instance_id) == "running"
    with product.session_factory() as session:
        assert session.get(Timer, timer.id).fired_at is not None


def _start_mini_timer(product, mini) -> tuple[RunOutcome, Timer]:
    xml, forms = read_definition_files(DATA / "mini_timer.bpmn")
    with product.session_factory.begin() as session:
        deploy(session, parse_definition(xml, forms, mini.handlers), actor="test", source="mini_timer.bpmn")
    started = mini.runner.start("mini_timer", Actor("madoguchi", "madoguchi"))
    assert started.status == "waiting" and started.next_task_id is None
    with product.session_factory() as session:
        timer = session.scalars(select(Timer).where(Timer.instance_id == started.instance_id)).one()
        assert timedelta(0) < timer.due_at - utcnow() <= timedelta(seconds=2)
        session.expunge(timer)
    return started, timer


def _status(product, instance_id: int) -> str:
    with product.session_factory() as session:
        return session.get(ProcessInstance, instance_id).status


def test_an_instance_waiting_on_a_timer_migrates_with_its_expression_in_cel(product, mini):
    """Migration re-evaluates the waiting timer's expression: CEL there as everywhere (`string()` is not Python)."""
    process_id = f"mini_timer_{uuid.uuid4().hex[:8]}"
    xml, forms = read_definition_files(DATA / "mini_timer.bpmn")
    xml = xml.replace('"mini_timer"', f'"{process_id}"').replace('"PT1S"', '"PT" + string(3600) + "S"')
    with product.session_factory.begin() as session:
        first = deploy(session, parse_definition(xml, forms, mini.handlers), actor="test", source="test")
    started = mini.runner.start(process_id, Actor("madoguchi", "madoguchi"))
    with product.session_factory.begin() as session:
        second = deploy(session, parse_definition(xml.replace('name="入力"', 'name="入力（改）"'), forms, mini.handlers),
                        actor="test", source="test")
        old, new = (session.get(ProcessDefinition, d.definition_id) for d in (first, second))
        rows = migrate_instances(session, product.specs, old, new, Actor("manager", "manager"))
    assert [(r.instance_id, r.can_move) for r in rows] == [(started.instance_id, True)]
    with product.session_factory() as session:
        instance = session.get(ProcessInstance, started.instance_id)
        timer = session.scalars(select(Timer).where(Timer.instance_id == started.instance_id)).one()
        assert (instance.definition_id, instance.status) == (second.definition_id, "waiting")
        assert timedelta(minutes=59) < timer.due_at - utcnow() <= timedelta(hours=1)
