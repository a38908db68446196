"""Issue 14 point 6: every service-task operator declares its answer as a TypedDict of handlers.results, so the keys
the flows read are written down and mypy (``make test``) checks each handler's returns against them."""

from __future__ import annotations

import types
import typing

from handlers import build_registry, results
from handlers.contracts import HandlerResult

# An answer whose keys come from elsewhere (imaging.measurement_to_dict) is a plain mapping, named in results.
PLAIN_ANSWERS = {results.Measured}


def _answer_types(annotation: object) -> list[object]:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return list(typing.get_args(annotation))
    return [annotation]


def test_every_operator_answers_a_declared_shape():
    undeclared = []
    for handler in build_registry().all():
        answer = typing.get_type_hints(handler.fn).get("return")
        for shape in _answer_types(answer):
            if shape in PLAIN_ANSWERS:
                continue
            if not (typing.is_typeddict(shape) and getattr(results, getattr(shape, "__name__", ""), None) is shape):
                undeclared.append(f"{handler.operator_id}: {answer}")
    assert undeclared == []


def test_a_declared_answer_is_a_handler_result():
    # TypedDicts are Mappings at run time too: the engine copies any answer into a dict before adding to it
    answer: HandlerResult = results.ImpressionStored(impression_id=1)
    assert dict(answer) == {"impression_id": 1}
