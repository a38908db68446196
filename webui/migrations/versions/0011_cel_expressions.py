"""Expressions become CEL and scripts leave the definitions (issue 12).

Every stored version and draft is converted in place: conditions, parameter values, timer expressions and
correlation paths written in the Python shapes used so far (`a['b']`, `not`, `and` / `or`, `==`, `!=`, `in`,
comparisons, `x if c else y`, literals) become CEL; a preScript that only sets variables to None becomes the
`resetVariables` property; a postScript that only clears writeOnly fields (PINs) is dropped, because the engine
now removes those fields itself. Running instances keep their version: their state holds no expression.

A stored version that holds anything else is listed with the reason and the migration stops (nothing changed);
a draft that cannot be converted is left as it is (its problems show at its next save). This module is
self-contained on purpose: a migration must not change meaning when the product's code changes later.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import ast
import hashlib
import json
import re

import cel
import sqlalchemy as sa
from alembic import op
from lxml import etree

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CEL_RESERVED = {"true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if",
                "import", "let", "loop", "package", "namespace", "return", "var", "void", "while"}
# The shipped definitions' expressions that go beyond the simple shapes, as they were written, and their CEL.
KNOWN = {
    "impression_decision == 'accept' and not household['same_found'] and (not impression['warnings'] or "
    "bool(warnings_confirmed and (override_reason or '').strip()))":
        "impression_decision == 'accept' && !household.same_found && (size(impression.warnings) == 0 || "
        "(warnings_confirmed == true && override_reason != null && override_reason.trim() != ''))",
    "impression_decision == 'accept' and not household['same_found'] and not (not impression['warnings'] or "
    "bool(warnings_confirmed and (override_reason or '').strip()))":
        "impression_decision == 'accept' && !household.same_found && !(size(impression.warnings) == 0 || "
        "(warnings_confirmed == true && override_reason != null && override_reason.trim() != ''))",
    "'; '.join(r['message'] for r in impression['refusal_reasons']) if not impression['acceptable'] "
    "else '世帯内に同一の印影が登録されています'":
        "!impression.acceptable ? impression.refusal_reasons.map(r, r.message).join('; ') "
        ": '世帯内に同一の印影が登録されています'",
    "check.get('registration_id')": "has(check.registration_id) ? check.registration_id : null",
    "'類似度 ' + str(comparison['score'])": "'類似度 ' + string(comparison.score)",
}


class Unconvertible(ValueError):
    """An expression or script outside the shapes this migration knows."""


# ---- expressions ---------------------------------------------------------------------------------------------
def to_cel(source: str) -> str:
    """The CEL text of a Python expression of the known shapes; raise Unconvertible otherwise."""
    text = source.strip()
    if text in KNOWN:
        return KNOWN[text]
    try:
        tree = ast.parse(text, mode="eval")  # parsed only, never compiled to code or run
    except SyntaxError as exc:
        raise Unconvertible(f"Python として読めません: {exc.msg}") from None
    converted = _expr(tree.body)
    try:
        cel.compile(converted)
    except (ValueError, RuntimeError) as exc:
        raise Unconvertible(f"変換結果がCELとして読めません: {converted} ({exc})") from None
    return converted


_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "compare": 4, "atom": 9}


def _expr(node: ast.AST) -> str:
    return _emit(node)[0]


def _emit(node: ast.AST) -> tuple[str, int]:
    """(CEL text, precedence) of a node."""
    if isinstance(node, ast.BoolOp):
        op_text, level = (" && ", _PRECEDENCE["and"]) if isinstance(node.op, ast.And) else (" || ", _PRECEDENCE["or"])
        return op_text.join(_wrap(value, level + (0 if i == 0 else 0)) for i, value in enumerate(node.values)), level
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return "!" + _wrap(node.operand, _PRECEDENCE["atom"]), _PRECEDENCE["not"]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return "-" + _emit(node.operand)[0], _PRECEDENCE["atom"]
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        return _compare(node.left, node.ops[0], node.comparators[0]), _PRECEDENCE["compare"]
    if isinstance(node, ast.IfExp):
        return (f"({_wrap(node.test, _PRECEDENCE['or'])} ? {_wrap(node.body, _PRECEDENCE['or'])} : "
                f"{_wrap(node.orelse, _PRECEDENCE['or'])})", _PRECEDENCE["atom"])
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        base, key = _wrap(node.value, _PRECEDENCE["atom"]), node.slice.value
        if IDENTIFIER.match(key) and key not in CEL_RESERVED:
            return f"{base}.{key}", _PRECEDENCE["atom"]
        return f"{base}[{_literal(key)}]", _PRECEDENCE["atom"]
    if isinstance(node, ast.Name):
        if node.id.startswith("_") or not IDENTIFIER.match(node.id) or node.id in CEL_RESERVED:
            raise Unconvertible(f"変数名 {node.id} は変換できません")
        return node.id, _PRECEDENCE["atom"]
    if isinstance(node, ast.Constant):
        return _literal(node.value), _PRECEDENCE["atom"]
    if isinstance(node, ast.Tuple | ast.List):
        return "[" + ", ".join(_expr(item) for item in node.elts) + "]", _PRECEDENCE["atom"]
    if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys):
        pairs = (f"{_literal(key.value)}: {_expr(value)}" for key, value in zip(node.keys, node.values, strict=True))
        return "{" + ", ".join(pairs) + "}", _PRECEDENCE["atom"]
    raise Unconvertible(f"変換できない構文です: {type(node).__name__}")


_COMPARISONS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


def _compare(left: ast.AST, operator: ast.cmpop, right: ast.AST) -> str:
    level = _PRECEDENCE["compare"] + 1
    if isinstance(operator, ast.In | ast.NotIn):
        text = f"{_wrap(left, level)} in {_wrap(right, level)}"
        return text if isinstance(operator, ast.In) else f"!({text})"
    symbol = _COMPARISONS.get(type(operator))
    if symbol is None:
        raise Unconvertible(f"変換できない比較です: {type(operator).__name__}")
    return f"{_wrap(left, level)} {symbol} {_wrap(right, level)}"


def _wrap(node: ast.AST, minimum: int) -> str:
    text, level = _emit(node)
    return text if level >= minimum else f"({text})"


def _literal(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"
    raise Unconvertible(f"変換できない値です: {value!r}")


# ---- documents -----------------------------------------------------------------------------------------------
def convert_document(bpmn_xml: str, forms: dict) -> tuple[str, list[str]]:
    """(converted XML, problems). The XML is unchanged where nothing needed converting."""
    root = etree.fromstring(bpmn_xml.encode("utf-8"))
    secrets = {name for form in forms.values() if isinstance(form, dict)
               for name, prop in (form.get("schema") or {}).get("properties", {}).items()
               if isinstance(prop, dict) and prop.get("writeOnly")}
    problems: list[str] = []
    changed = False
    for element, read, write in _expression_slots(root):
        source = read()
        if not source.strip():
            continue
        try:
            converted = to_cel(source)
        except Unconvertible as exc:
            problems.append(f"{_owner(element)}: 「{source.strip()}」 — {exc}")
            continue
        if converted != source.strip():
            write(converted)
            changed = True
    for element in list(root.iter(f"{{{SPIFF}}}preScript", f"{{{SPIFF}}}postScript")):
        try:
            changed |= _convert_script(element, secrets)
        except Unconvertible as exc:
            problems.append(f"{_owner(element)}: {exc}")
    for task in root.iter(f"{{{BPMN}}}scriptTask"):
        problems.append(f"{task.get('id')}: スクリプトタスクは変換できません")
    if not changed or problems:
        return bpmn_xml, problems
    return _serialise(root, bpmn_xml), problems


def _expression_slots(root):
    """(element, read, write) of every place that holds an expression."""
    for flow in root.iter(f"{{{BPMN}}}sequenceFlow"):
        for condition in flow.iter(f"{{{BPMN}}}conditionExpression"):
            yield condition, (lambda e=condition: e.text or ""), (lambda v, e=condition: setattr(e, "text", v))
    for parameter in root.iter(f"{{{SPIFF}}}parameter"):
        yield (parameter, (lambda e=parameter: e.get("value") or ""),
               (lambda v, e=parameter: e.set("value", v)))
    tags = [f"{{{BPMN}}}{t}" for t in ("timeDate", "timeDuration", "timeCycle", "messagePath", "condition",
                                        "loopCardinality", "completionCondition")] + [f"{{{SPIFF}}}messagePayload"]
    for element in root.iter(*tags):
        yield element, (lambda e=element: e.text or ""), (lambda v, e=element: setattr(e, "text", v))


_ASSIGN_NONE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(None|\[\]|\{\}|''|\"\")\s*$")


def _convert_script(element, secrets: set[str]) -> bool:
    names = []
    for line in (element.text or "").splitlines():
        if not line.strip() or line.strip().startswith("#"):
            continue
        match = _ASSIGN_NONE.match(line)
        if match is None:
            raise Unconvertible(f"スクリプト「{line.strip()}」は変換できません（変数を None・空にする行だけ変換します）")
        names.append(match.group(1))
    extension = element.getparent()
    owner = extension.getparent()
    is_user_task = owner.tag in (f"{{{BPMN}}}userTask", f"{{{BPMN}}}manualTask")
    if element.tag == f"{{{SPIFF}}}postScript" and set(names) <= secrets:
        extension.remove(element)  # the engine removes writeOnly fields from the data itself
        return True
    if element.tag == f"{{{SPIFF}}}preScript" and is_user_task:
        properties = extension.find(f"{{{SPIFF}}}properties")
        if properties is None:
            properties = etree.SubElement(extension, f"{{{SPIFF}}}properties")
        prop = etree.SubElement(properties, f"{{{SPIFF}}}property")
        prop.set("name", "resetVariables")
        prop.set("value", " ".join(names))
        extension.remove(element)
        return True
    raise Unconvertible("このスクリプトは変換できません（ユーザタスクの preScript か暗証番号を消す postScript だけ変換します）")


def _owner(element) -> str:
    while element is not None and element.get("id") is None:
        element = element.getparent()
    return element.get("id") if element is not None else "?"


def _serialise(root, original: str) -> str:
    text = etree.tostring(root, encoding="unicode")
    declaration = re.match(r"^\s*<\?xml[^>]*\?>\s*", original)
    return (declaration.group(0) if declaration else "") + text


def content_hash(bpmn_xml: str, forms: dict) -> str:
    digest = hashlib.sha256(bpmn_xml.encode("utf-8"))
    digest.update(json.dumps(forms, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


# ---- the migration -------------------------------------------------------------------------------------------
def upgrade() -> None:
    bind = op.get_bind()
    definitions = sa.table("process_definition", sa.column("id", sa.Integer), sa.column("process_id", sa.String),
                           sa.column("content_hash", sa.String), sa.column("bpmn_xml", sa.Text),
                           sa.column("forms_json", sa.Text), sa.column("note", sa.Text))
    drafts = sa.table("definition_draft", sa.column("id", sa.Integer), sa.column("bpmn_xml", sa.Text),
                      sa.column("forms_json", sa.Text))
    updates, refused = [], []
    for row in bind.execute(sa.select(definitions)).mappings():
        forms = json.loads(row["forms_json"] or "{}")
        converted, problems = convert_document(row["bpmn_xml"], forms)
        if problems:
            refused.append(f"{row['process_id']}（版 {row['id']}）: " + " / ".join(problems))
        elif converted != row["bpmn_xml"]:
            updates.append((row, converted, content_hash(converted, forms)))
    if refused:
        raise RuntimeError("CELに変換できない式またはスクリプトがあるため移行を中止しました（何も変更していません）。"
                           "次の版を直してから再実行してください:\n" + "\n".join(refused))
    for row, converted, new_hash in updates:
        note = ((row["note"] or "") + "\n[0011] 式をCELに変換しました（旧ハッシュ " + row["content_hash"][:12] + "）").strip()
        bind.execute(definitions.update().where(definitions.c.id == row["id"])
                     .values(bpmn_xml=converted, content_hash=new_hash, note=note))
    for row in bind.execute(sa.select(drafts)).mappings():
        converted, problems = convert_document(row["bpmn_xml"], json.loads(row["forms_json"] or "{}"))
        if not problems and converted != row["bpmn_xml"]:
            bind.execute(drafts.update().where(drafts.c.id == row["id"]).values(bpmn_xml=converted))


def downgrade() -> None:
    """The conversion is kept: the Python text is gone (the version notes name the old hash); restore a backup
    taken before the upgrade to get it back."""
