"""Task forms rendered from their JSON Schema: one FieldView per property, in ui.order, with the user's values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from engine.library.expressions import ExpressionError, evaluate_condition

__all__ = ["Choice", "FieldView", "choice_label", "decision_fields", "field_views", "form_values", "offered_choices",
           "scan_decisions", "scan_fields"]

RADIO_MAX_CHOICES = 4
TEXT_WIDGETS = ("textarea", "resident-search", "seal-scan", "date")


@dataclass(frozen=True)
class Choice:
    value: str
    title: str


@dataclass
class FieldView:
    """Everything a template needs to draw one input."""

    name: str
    title: str
    kind: str  # radio | select | checkbox | checkboxes | textarea | text | secret | number | date | resident-search | seal-scan
    required: bool = False
    condition: str | None = None
    help: str | None = None
    choices: list[Choice] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    value: Any = None
    error: str | None = None
    required_choices: tuple[str, ...] = ()  # checkboxes the flow cannot go without (schema: allOf contains const)
    scan: dict[str, Any] | None = None  # seal-scan only: the read-before-deciding state (webui/tasks/scan_read.py)

    def is_checked(self, value: str) -> bool:
        current = self.value if isinstance(self.value, list) else [self.value]
        return value in [str(v) for v in current if v is not None]


def properties(document: dict) -> dict[str, dict]:
    return document["schema"].get("properties", {})


def ordered_names(document: dict) -> list[str]:
    order = [name for name in document.get("ui", {}).get("order", []) if name in properties(document)]
    return order + [name for name in properties(document) if name not in order]


def field_views(document: dict, values: dict[str, Any], errors: dict[str, str],
                data: dict[str, Any] | None = None) -> list[FieldView]:
    """The fields of a form document, with values and errors filled in; with the task `data`, a choice whose
    ui.offer_if condition is false is not offered (the task's formCheck refuses it anyway)."""
    ui = document.get("ui", {})
    required = set(document["schema"].get("required", []))
    conditions = conditional_requirements(document)
    views = []
    drawn_by_scan = decision_fields(document)
    for name in ordered_names(document):
        if name in drawn_by_scan:
            continue  # drawn inside the seal-scan widget as its decision buttons
        prop = properties(document)[name]
        views.append(FieldView(
            name=name, title=prop.get("title", name), kind=widget_kind(prop, ui.get("widgets", {}).get(name)),
            required=name in required, condition=conditions.get(name), help=ui.get("help", {}).get(name),
            choices=offered_choices(document, name, data), attrs=html_attrs(prop), value=values.get(name),
            error=errors.get(name), required_choices=required_choices(prop)))
    return views


def required_choices(prop: dict) -> tuple[str, ...]:
    """The values an array field must contain (allOf: [{contains: {const: …}}]), e.g. 申請書 and 印鑑 received."""
    return tuple(str(rule["contains"]["const"]) for rule in prop.get("allOf", [])
                 if isinstance(rule, dict) and isinstance(rule.get("contains"), dict) and "const" in rule["contains"])


def scan_decisions(document: dict) -> dict[str, dict[str, Any]]:
    """ui.scan_decision: {seal-scan field: {"decision": field, "reason": field}} (4.1.5.1: proceed or refuse), or
    {"compare_only": true} for a scan read only to be compared (a 保証書's stamp: no 8–25 mm rule, no decision)."""
    config = (document.get("ui") or {}).get("scan_decision") or {}
    return {name: value for name, value in config.items() if isinstance(value, dict)} \
        if isinstance(config, dict) else {}


def decision_fields(document: dict) -> set[str]:
    return {value[key] for value in scan_decisions(document).values() for key in ("decision", "reason")
            if isinstance(value.get(key), str)}


def offered_choices(document: dict, name: str, data: dict[str, Any] | None) -> list[Choice]:
    """The choices of a field, less those whose CEL condition under ui.offer_if is false for the task data.

    A condition that cannot be evaluated offers the choice: hiding is a courtesy, the server-side check decides.
    """
    choices = choices_of(properties(document)[name])
    conditions = document.get("ui", {}).get("offer_if", {}).get(name, {})
    if data is None or not conditions:
        return choices
    return [choice for choice in choices if _offered(conditions.get(choice.value), data)]


def _offered(condition: str | None, data: dict[str, Any]) -> bool:
    if not condition:
        return True
    try:
        return evaluate_condition(condition, data)
    except ExpressionError:
        return True


def widget_kind(prop: dict, widget: str | None) -> str:
    kind = prop.get("type")
    if prop.get("writeOnly"):  # a PIN or the like: typed by the resident, never shown again nor logged
        return "secret"
    if widget in TEXT_WIDGETS:
        return widget
    if kind == "boolean":
        return "checkbox"
    if kind == "array":
        return "checkboxes"
    if "oneOf" in prop:
        if widget in ("radio", "select"):
            return widget
        return "radio" if len(prop["oneOf"]) <= RADIO_MAX_CHOICES else "select"
    if kind in ("integer", "number"):
        return "number"
    return "text"


def choices_of(prop: dict) -> list[Choice]:
    options = prop.get("oneOf") or prop.get("items", {}).get("oneOf") or []
    return [Choice(str(o["const"]), o.get("title", str(o["const"]))) for o in options if "const" in o]


def choice_label(prop: dict, value: Any) -> str | None:
    """The Japanese title of a choice value, if the property has choices."""
    for choice in choices_of(prop):
        if choice.value == str(value):
            return choice.title
    return None


def html_attrs(prop: dict) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if "pattern" in prop:
        attrs["pattern"] = html_pattern(prop["pattern"])
    for schema_key, html_key in (("maxLength", "maxlength"), ("minLength", "minlength"),
                                 ("minimum", "min"), ("maximum", "max")):
        if schema_key in prop:
            attrs[html_key] = prop[schema_key]
    return attrs


def html_pattern(pattern: str) -> str:
    """A JSON Schema pattern as an HTML pattern (compiled with the 'v' flag: a literal '-' must be escaped)."""
    return re.sub(r"(?<!\\)-\]", r"\\-]", pattern)


def conditional_requirements(document: dict) -> dict[str, str]:
    """「本人確認の方法」が「保証書」のとき必須 for fields made required by allOf if/then rules."""
    out: dict[str, str] = {}
    props = properties(document)
    for rule in document["schema"].get("allOf", []):
        condition = rule.get("if", {}).get("properties", {})
        if len(condition) != 1:
            continue
        (key, test), = condition.items()
        if "const" not in test or key not in props:
            continue
        value = choice_label(props[key], test["const"]) or ("チェックあり" if test["const"] is True else test["const"])
        for name in rule.get("then", {}).get("required", []):
            out[name] = f"「{props[key].get('title', key)}」が「{value}」のとき必須"
    return out


def form_values(document: dict, form: MultiDict) -> dict[str, Any]:
    """The submitted values of the schema's properties only (lists for arrays; absent when not sent)."""
    values: dict[str, Any] = {}
    for name, prop in properties(document).items():
        if prop.get("type") == "array":
            items = [v for v in form.getlist(name) if v != ""]
            if items:
                values[name] = items
        elif name in form:
            values[name] = form.get(name)
    return values


def scan_fields(document: dict) -> list[str]:
    widgets = document.get("ui", {}).get("widgets", {})
    return [name for name in ordered_names(document) if widgets.get(name) == "seal-scan"]


def prefilled_values(document: dict, data: dict[str, Any], *, again: bool = False) -> dict[str, Any]:
    """Initial values from the task data: who the case is about (resident-search fields) and the fields the form
    lists under ui.prefill (what a flow handed over, e.g. 4.4.1.2's phone report to 6.2.1). `again`: the flow came
    back to this step (受け付け直す): every answer given last time, secrets excepted, so the clerk corrects one."""
    ui = document.get("ui", {})
    widgets, handed_over = ui.get("widgets", {}), set(ui.get("prefill", []))
    props = document.get("schema", {}).get("properties", {})
    return {name: data[name] for name in ordered_names(document)
            if (widgets.get(name) == "resident-search" or name in handed_over
                or (again and not props.get(name, {}).get("writeOnly")))
            and data.get(name) is not None}
