"""Expressions in process definitions, in CEL (Common Expression Language), never Python.

Every expression a manager can author — gateway conditions, service-task parameter values, timer expressions,
message correlation — is compiled and evaluated by the `common-expression-language` library (a Rust CEL
implementation). CEL has no statements, no attribute access to host objects and no loops beyond bounded macros, so
an expression can read the task data it is given and nothing else. Task data goes in as plain JSON values; a
variable the data does not hold is null (absent and null mean the same in a definition). Scripts are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

import cel
from cel import stdlib

from engine.errors import EngineError
from engine.jsonvalues import plain_json

__all__ = ["MAX_SOURCE_CHARS", "ExpressionError", "compile_expression", "evaluate", "evaluate_condition",
           "expression_problems", "referenced_variables"]

MAX_SOURCE_CHARS = 2000
MAX_MACROS = 3  # nested comprehensions multiply work and memory; the shipped flows need at most one
MAX_NESTING = 24  # parentheses / brackets / braces: keeps the parser's recursion shallow
TYPE_NAMES = frozenset({"int", "uint", "double", "string", "bool", "bytes", "list", "map", "null_type", "type"})
_MACRO = re.compile(r"\.\s*(map|filter|all|exists|exists_one)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,")
_PARSE_ERROR = re.compile(r"<input>:(?P<line>\d+):(?P<column>\d+): (?P<reason>[^\n]*)")
# Extension functions a definition may call (from the library's own standard library). Left out on purpose:
# `replace` (chained replacements grow a string exponentially), `lists.range` (allocates any size),
# base64 (no use in a flow).
_EXTENSIONS = {
    name: function
    for library in ("strings", "math", "sets", "lists")
    for name, function in stdlib.EXTENSIONS[library].items()
    if name not in {"replace", "lists.range", "strings.quote"}
}


class ExpressionError(EngineError):
    """An expression that cannot be compiled or evaluated (its Japanese message says why)."""

    code = "expression_error"
    http_status = 422


@dataclass(frozen=True)
class CompiledExpression:
    """A checked, compiled expression with what it reads and which extension functions it calls."""

    source: str
    program: cel.Program
    variables: frozenset[str]
    extensions: tuple[str, ...]


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> CompiledExpression:
    """The compiled expression for `source`; raise ExpressionError for an empty, too long or malformed one."""
    text = (source or "").strip()
    if not text:
        raise ExpressionError("式が空です")
    if len(text) > MAX_SOURCE_CHARS:
        raise ExpressionError(f"式が長すぎます（{len(text)}文字、上限 {MAX_SOURCE_CHARS}文字）")
    if _nesting_depth(text) > MAX_NESTING:
        raise ExpressionError(f"括弧の入れ子が深すぎます（上限 {MAX_NESTING}）")
    if len(_MACRO.findall(text)) > MAX_MACROS:
        raise ExpressionError(f"map / filter / all / exists は1つの式に {MAX_MACROS} 回までです")
    try:
        program = cel.compile(text)
    except (ValueError, RuntimeError) as exc:
        raise ExpressionError(f"CELの式として読めません{_position(exc)}") from None
    functions = set(program.functions())
    unknown = sorted(functions - _known_functions())
    if unknown:
        raise ExpressionError(f"使用できない関数です: {', '.join(unknown)}")
    bound = {name for _, name in _MACRO.findall(text)}
    variables = frozenset(set(program.variables()) - bound - TYPE_NAMES)
    return CompiledExpression(text, program, variables, tuple(sorted(functions & set(_EXTENSIONS))))


def referenced_variables(source: str) -> set[str]:
    """The top-level variables an expression reads (names bound by map / filter / … are not variables)."""
    return set(compile_expression(source).variables)


def expression_problems(source: str, known_variables: Iterable[str] | None = None) -> list[str]:
    """What is wrong with an expression, as Japanese sentences (empty when it is fine).

    With `known_variables`, a variable outside them is a problem (a typo would otherwise be null at run time).
    """
    try:
        variables = referenced_variables(source)
    except ExpressionError as exc:
        return [exc.message]
    if known_variables is None:
        return []
    unknown = sorted(variables - set(known_variables))
    return [f"定義にない変数です: {', '.join(unknown)}"] if unknown else []


def evaluate(source: str, data: Mapping[str, Any]) -> Any:
    """Evaluate `source` over `data` (task data); raise ExpressionError when it fails."""
    compiled = compile_expression(source)
    try:
        context = cel.Context(variables={name: plain_json(data.get(name)) for name in compiled.variables})
    except TypeError as exc:
        raise ExpressionError(f"式「{_shorten(compiled.source)}」を評価できません: {exc}") from None
    for name in compiled.extensions:
        context.add_function(name, _EXTENSIONS[name])
    try:
        result = compiled.program.execute(context)
    except Exception as exc:  # noqa: BLE001 — the library raises several kinds; all mean "cannot evaluate"
        raise ExpressionError(f"式「{_shorten(compiled.source)}」を評価できません: {_first_line(exc)}") from None
    return _plain_result(result)


def evaluate_condition(source: str, data: Mapping[str, Any]) -> bool:
    """Evaluate a condition; raise ExpressionError unless the result is true or false."""
    result = evaluate(source, data)
    if not isinstance(result, bool):
        raise ExpressionError(f"条件式「{_shorten(source)}」の結果が真偽値ではありません（{type(result).__name__}）")
    return result


def _plain_result(value: Any) -> Any:
    """Results are plain JSON too: a timestamp becomes ISO 8601 text, a duration an ISO 8601 duration."""
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
        return f"PT{int(seconds) if seconds.is_integer() else seconds}S"
    if isinstance(value, dict):
        return {key: _plain_result(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_result(item) for item in value]
    try:
        return plain_json(value)
    except TypeError:
        raise ExpressionError(f"式の結果（{type(value).__name__}）はデータとして扱えません") from None


@lru_cache(maxsize=1)
def _known_functions() -> frozenset[str]:
    """CEL's own functions and operators, and the extensions above."""
    builtin = {
        "size", "has", "int", "uint", "double", "string", "bytes", "bool", "dyn", "type", "duration", "timestamp",
        "matches", "contains", "startsWith", "endsWith", "exists", "exists_one", "all", "map", "filter",
        "getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getHours",
        "getMinutes", "getSeconds", "getMilliseconds", "max", "min",
        "!_", "-_", "_!=_", "_%_", "_&&_", "_*_", "_+_", "_-_", "_/_", "_<=_", "_<_", "_==_", "_>=_", "_>_",
        "_?_:_", "_[_]", "_||_", "@in", "@not_strictly_false", "_in_",
    }
    return frozenset(builtin | set(_EXTENSIONS))


def _nesting_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


def _position(exc: BaseException) -> str:
    """「（1行7文字目）: reason」 from the library's parse error."""
    found = _PARSE_ERROR.search(str(exc))
    if found is None:
        return f": {_first_line(exc)}"
    return f"（{found['line']}行{found['column']}文字目）: {found['reason'][:200]}"


def _first_line(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()
    return message[0][:300] if message else type(exc).__name__


def _shorten(source: str, limit: int = 120) -> str:
    return source if len(source) <= limit else source[: limit - 1] + "…"
