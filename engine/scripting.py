"""BPMN expressions and scripts in a restricted Python environment, and service calls routed to handlers."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

SAFE_BUILTINS: dict[str, Any] = {
    name: __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
    for name in (
        "abs", "all", "any", "bool", "dict", "enumerate", "float", "int", "isinstance", "len", "list", "max",
        "min", "range", "reversed", "round", "set", "sorted", "str", "sum", "tuple", "zip",
    )
}
SAFE_BUILTINS.update({"None": None, "True": True, "False": False})

FORBIDDEN_NODES = (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.AsyncFunctionDef, ast.Await,
                   ast.Yield, ast.YieldFrom, ast.ClassDef)


class UnsafeExpression(ValueError):
    """An expression or script uses something the restricted environment does not allow."""


def check_source(source: str, mode: str = "eval") -> ast.AST:
    """Parse `source` and refuse imports, dunder names and private attributes; raise UnsafeExpression/SyntaxError."""
    tree = ast.parse(source, mode=mode)
    for node in ast.walk(tree):
        if isinstance(node, FORBIDDEN_NODES):
            raise UnsafeExpression(f"使用できない構文です: {type(node).__name__}")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise UnsafeExpression(f"使用できない属性です: {node.attr}")
        if isinstance(node, ast.Name) and node.id.startswith("__"):
            raise UnsafeExpression(f"使用できない名前です: {node.id}")
    return tree


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates over the task data with a whitelist of builtins; compiled code is cached by source."""

    def __init__(self) -> None:
        super().__init__()
        self._compiled: dict[tuple[str, str], Any] = {}

    def _compile(self, source: str, mode: str):
        key = (source, mode)
        if key not in self._compiled:
            self._compiled[key] = compile(check_source(source, mode), "<bpmn>", mode)
        return self._compiled[key]

    def evaluate(self, expression, context, external_context=None):
        # Task data goes into globals so names resolve inside comprehensions and generator expressions too.
        scope = {"__builtins__": SAFE_BUILTINS, **(external_context or {}), **context}
        return eval(self._compile(expression, "eval"), scope)  # noqa: S307 — compiled from a checked AST

    def execute(self, script, context, external_context=None):
        scope = {"__builtins__": SAFE_BUILTINS, **(external_context or {}), **context}
        exec(self._compile(script, "exec"), scope)  # noqa: S102 — compiled from a checked AST
        for key, value in scope.items():
            if key != "__builtins__" and not callable(value) and key not in (external_context or {}):
                context[key] = value
        return True

    def call_service(self, context, **kwargs):
        raise NotImplementedError("service calls go through InkanScriptEngine.call_service")


ServiceCaller = Callable[[Any, str, dict[str, Any]], dict]


class InkanScriptEngine(PythonScriptEngine):
    """Script engine whose service tasks are dispatched to the handler registry by the engine's caller."""

    def __init__(self, environment: RestrictedEnvironment, service_caller: ServiceCaller | None = None):
        super().__init__(environment=environment)
        self.service_caller = service_caller

    def call_service(self, task, operation_name=None, operation_params=None, **_kwargs):
        # No try/except here: the stock implementation masks the real exception, the engine records it instead.
        if self.service_caller is None:
            raise RuntimeError("no service caller bound to this run")
        params = {name: spec["value"] for name, spec in (operation_params or {}).items()}
        result = self.service_caller(task, operation_name, params)
        return json.dumps(result, default=json_default, ensure_ascii=False)


def json_default(value: Any) -> str:
    """Serialise dates as ISO strings; refuse anything else that JSON does not know."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
