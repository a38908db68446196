"""A tiny test process (tests/engine/data/mini.bpmn) run by its own runner on the app's database."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from engine.library.catalog import SpecCache, deploy
from engine.library.definitions import parse_definition, read_definition_files
from engine.runtime.runner import WorkflowRunner
from handlers import HandlerRegistry, ServiceContext
from tests.support.auth import clock  # noqa: F401 — fixture, found by name

DATA = Path(__file__).parent / "data"


@dataclass
class Flaky:
    failures_left: int = 0
    calls: list = field(default_factory=list)

    def __call__(self, ctx: ServiceContext, amount: int) -> dict:
        self.calls.append(amount)
        if self.failures_left > 0:
            self.failures_left -= 1
            raise ZeroDivisionError("外部システムが応答しません (simulated)")
        return {"doubled": amount * 2}


@dataclass
class Mini:
    runner: WorkflowRunner
    flaky: Flaky
    handlers: HandlerRegistry


def mini_handlers(flaky: Flaky) -> HandlerRegistry:
    handlers = HandlerRegistry()
    handlers.register("test.flaky", function_id="test", title="テスト用")(flaky)
    return handlers


@pytest.fixture
def mini(product) -> Mini:
    flaky = Flaky()
    handlers = mini_handlers(flaky)
    runner = WorkflowRunner(product.session_factory, handlers, SpecCache(),
                            lambda **kw: ServiceContext(services=product.services, **kw))
    xml, forms = read_definition_files(DATA / "mini.bpmn")
    with product.session_factory.begin() as session:
        deploy(session, parse_definition(xml, forms, handlers, source="mini.bpmn"), actor="test", source="mini.bpmn")
    return Mini(runner, flaky, handlers)
