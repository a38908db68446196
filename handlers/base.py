"""The handler registry: service-task operator ids mapped to Python functions.

HandlerError (code, message)      — a handler refused the work for a business reason the clerk must see
UnknownOperator                    — no handler is registered under an operator id (a deployment error)
MissingParameter                   — a BPMN service task did not give a required parameter
DatabaseRefused                    — the database refused what a handler wrote (its raw text stays in the
                                     traceback of the incident, the message is Japanese)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from handlers.contracts import HandlerResult, PrintedDocument
from handlers.parameters import schema_from_annotation, value_problem

if TYPE_CHECKING:  # handlers.environment pulls in registry settings and imaging thresholds; the engine needs neither
    from handlers.environment import HandlerServices

HandlerFn = Callable[..., HandlerResult]  # (ctx, **parameters) → answer


class HandlerError(Exception):
    """`field` names the form field at fault when the handler checks a submitted form (a user task's formCheck)."""

    code = "handler_error"

    def __init__(self, message: str, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class UnknownOperator(HandlerError):
    code = "unknown_operator"


class MissingParameter(HandlerError):
    code = "missing_parameter"


class DatabaseRefused(HandlerError):
    code = "database_refused"


def database_refusal(exc: DBAPIError) -> DatabaseRefused:
    """A Japanese summary of a database error for the incident; the raw text is kept by the exception chain."""
    if isinstance(exc, DataError):
        return DatabaseRefused("データベースに保存できない値です（文字数が多すぎるか、型・形式が正しくありません）。"
                               "入力内容または連携データを確認してください", code="value_not_storable")
    if isinstance(exc, IntegrityError):
        return DatabaseRefused("他のデータと重複または矛盾するため保存できません（同時に処理された可能性があります）。"
                               "状況を確認してから再実行してください", code="conflicting_data")
    return DatabaseRefused("データベースの処理に失敗しました（接続の切断・混雑など）。しばらく待ってから再実行してください",
                           code="database_error")


@dataclass
class Subject:
    """Whose case an instance is: shown in inboxes and used to search instances."""

    name: str | None = None
    resident_id: str | None = None
    registration_number: str | None = None


@dataclass
class ServiceContext:
    """What a handler may use: the open database session of the current unit of work and the neighbours."""

    session: Session
    actor: str
    instance_id: int
    task_name: str
    services: HandlerServices  # settings, the resident register and J-LIS clients, the clock, the audit sink
    subject: Subject = field(default_factory=Subject)
    printed: list[PrintedDocument] = field(default_factory=list)  # documents produced, for the audit trail

    def today(self) -> date:
        return self.services.today()

    def now(self) -> datetime:
        return self.services.now()

    def name_subject(self, record: Any) -> None:
        """Show the instance under the registration it works on (inbox, search, audit): name, resident, number."""
        self.subject.name, self.subject.resident_id = record.name, record.resident_id
        self.subject.registration_number = record.registration_number


@dataclass(frozen=True)
class Parameter:
    """A parameter of an operator; `schema` is its declared type and range (handlers.parameters)."""

    name: str
    required: bool
    schema: Mapping[str, Any] = field(default_factory=dict)

    def problem(self, value: Any) -> str | None:
        """Why a value given to this parameter is refused (Japanese), or None."""
        return value_problem(self.schema, value)


@dataclass(frozen=True)
class Handler:
    operator_id: str
    function_id: str
    title: str
    fn: HandlerFn
    parameters: tuple[Parameter, ...]

    def call(self, ctx: ServiceContext, params: Mapping[str, Any]) -> dict[str, Any]:
        """The handler's answer as a new dict (the engine adds to it); raises HandlerError and its kinds."""
        missing = [p.name for p in self.parameters if p.required and p.name not in params]
        if missing:
            raise MissingParameter(f"サービスタスクのパラメータが不足しています: {', '.join(missing)}")
        known = {p.name for p in self.parameters}
        try:
            result = self.fn(ctx, **{k: v for k, v in params.items() if k in known})
            ctx.session.flush()  # what the handler wrote is refused here, as this handler's error, if at all
        except DBAPIError as exc:
            raise database_refusal(exc) from exc
        return dict(result)


class HandlerRegistry:
    """Operator id → handler. Built once at start-up; unknown ids are refused when a definition is loaded."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(self, operator_id: str, *, function_id: str, title: str,
                 schemas: Mapping[str, Mapping[str, Any]] | None = None) -> Callable[[HandlerFn], HandlerFn]:
        """`schemas`: the declared parameters (name → schema), which must name exactly the function's parameters;
        without them each parameter's plain type is taken from its annotation."""
        def decorate(fn: HandlerFn) -> HandlerFn:
            if operator_id in self._handlers:
                raise ValueError(f"operator {operator_id} registered twice")
            self._handlers[operator_id] = Handler(operator_id, function_id, title, fn,
                                                  _parameters_of(fn, operator_id, schemas))
            return fn

        return decorate

    def get(self, operator_id: str) -> Handler:
        try:
            return self._handlers[operator_id]
        except KeyError:
            raise UnknownOperator(f"サービス「{operator_id}」は登録されていません") from None

    def __contains__(self, operator_id: str) -> bool:
        return operator_id in self._handlers

    def all(self) -> list[Handler]:
        return sorted(self._handlers.values(), key=lambda h: h.operator_id)


def _parameters_of(fn: Callable, operator_id: str,
                   schemas: Mapping[str, Mapping[str, Any]] | None) -> tuple[Parameter, ...]:
    params = list(inspect.signature(fn).parameters.values())[1:]  # skip ctx
    if schemas is not None and set(schemas) != {p.name for p in params}:
        raise ValueError(f"operator {operator_id}: declared parameters {sorted(schemas)} are not the handler's "
                         f"{[p.name for p in params]}")
    return tuple(Parameter(p.name, p.default is inspect.Parameter.empty,
                           dict(schemas[p.name]) if schemas is not None
                           else schema_from_annotation(p.annotation, p.default is None))
                 for p in params)
