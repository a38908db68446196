"""SpiffWorkflow's script engine, bound to CEL: expressions evaluate over plain task data, scripts never run.

SpiffWorkflow asks its script engine (and the engine's `environment`) to evaluate gateway conditions, service-task
parameters, timer expressions and message correlations; every such call lands in `engine.library.expressions`. Service
calls go to the handler registry through the caller the runner binds for one unit of work.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.jsonvalues import json_default
from engine.library.expressions import ExpressionError, evaluate

if TYPE_CHECKING:
    from engine.contracts import ServiceCaller

__all__ = ["CelEnvironment", "InkanScriptEngine", "ScriptsForbidden"]


class ScriptsForbidden(ExpressionError):
    """A script task, preScript or postScript reached the engine (definitions with scripts are refused at save)."""

    code = "scripts_forbidden"


class CelEnvironment(BasePythonScriptEngineEnvironment):
    """What SpiffWorkflow calls `environment`: evaluate is CEL, execute is refused."""

    def evaluate(self, expression, context, external_context=None):
        return evaluate(expression, {**(external_context or {}), **context})

    def execute(self, script, context, external_context=None):
        raise ScriptsForbidden("プロセス定義のスクリプトは実行できません")

    def call_service(self, context, **kwargs):
        raise NotImplementedError("service calls go through InkanScriptEngine.call_service")




class InkanScriptEngine(PythonScriptEngine):
    """Script engine whose expressions are CEL and whose service tasks go to the runner's service caller."""

    def __init__(self, service_caller: ServiceCaller | None = None):
        super().__init__(environment=CelEnvironment())
        self.service_caller = service_caller

    def evaluate(self, task, expression, external_context=None):
        # No wrapping in WorkflowTaskException: the engine records the Japanese message as the incident.
        return self.environment.evaluate(expression, task.data, external_context)

    def execute(self, task, script, external_context=None):
        raise ScriptsForbidden("プロセス定義のスクリプトは実行できません")

    def call_service(self, task, operation_name=None, operation_params=None, **_kwargs):
        # No try/except here: the stock implementation masks the real exception, the engine records it instead.
        if self.service_caller is None:
            raise RuntimeError("no service caller bound to this run")
        params = {name: spec["value"] for name, spec in (operation_params or {}).items()}
        result = self.service_caller(task, operation_name, params)
        return json.dumps(result, default=json_default, ensure_ascii=False)
