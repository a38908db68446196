"""The difference between two versions of a definition: a unified XML diff and the BPMN elements that changed."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field

from lxml import etree

from engine.library.definition_expressions import SPIFF
from engine.library.definitions import BPMN_NS

__all__ = ["ElementChange", "VersionDiff", "diff_versions"]

PARTS = {"documentation": "説明（documentation）", "extensionElements": "拡張要素（フォーム・サービス・パラメータ）",
         "conditionExpression": "条件式", "timerDefinition": "タイマー", "incoming": "接続", "outgoing": "接続",
         "flowNodeRef": "レーンの所属", "messageEventDefinition": "メッセージ", "timerEventDefinition": "タイマー"}

ATTRIBUTES = {"name": "名前", "sourceRef": "接続元", "targetRef": "接続先", "default": "既定のフロー",
              "attachedToRef": "付いている要素", "cancelActivity": "中断する", "messageRef": "メッセージ",
              "isExecutable": "実行可能", "calledElement": "呼び出す業務"}


@dataclass
class ElementChange:
    element_id: str
    name: str
    type: str
    change: str  # added | removed | changed
    details: list[str] = field(default_factory=list)


@dataclass
class VersionDiff:
    xml_diff: str
    elements: list[ElementChange]
    forms: list[ElementChange]

    @property
    def is_empty(self) -> bool:
        return not self.elements and not self.forms


def diff_versions(old_xml: str, old_forms: dict, new_xml: str, new_forms: dict, *, old_label: str = "old",
                  new_label: str = "new") -> VersionDiff:
    """Compare two versions: XML line by line, BPMN elements by id, forms by file name."""
    xml_diff = "".join(difflib.unified_diff(old_xml.splitlines(keepends=True), new_xml.splitlines(keepends=True),
                                            fromfile=old_label, tofile=new_label, n=2))
    return VersionDiff(xml_diff, _element_changes(_elements(old_xml), _elements(new_xml)),
                       _form_changes(old_forms, new_forms))


def _elements(xml: str) -> dict[str, etree._Element]:
    """The semantic BPMN elements with an id (diagram interchange left out: moving a shape is not a change)."""
    root = etree.fromstring(xml.encode("utf-8"))
    return {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")
            and etree.QName(el).namespace == BPMN_NS and not _is_event_definition(el)}


def _is_event_definition(element) -> bool:
    """A timer / message / … definition is part of its event (a manager changes the event, not a hidden child)."""
    return etree.QName(element).localname.endswith("EventDefinition")


def _element_changes(old: dict, new: dict) -> list[ElementChange]:
    changes = [_change(new[i], "added") for i in new if i not in old]
    changes += [_change(old[i], "removed") for i in old if i not in new]
    for element_id in (i for i in new if i in old):
        details = _details(old[element_id], new[element_id])
        if details:
            changes.append(_change(new[element_id], "changed", details))
    return changes


def _change(element, change: str, details: list[str] | None = None) -> ElementChange:
    return ElementChange(element.get("id"), element.get("name") or "", etree.QName(element).localname, change,
                         details or [])


def _details(old, new) -> list[str]:
    details = []
    for key in sorted(set(old.attrib) | set(new.attrib)):
        if old.get(key) != new.get(key):
            details.append(f"{ATTRIBUTES.get(key, key)}: 「{old.get(key) or ''}」→「{new.get(key) or ''}」")
    details += _parameter_details(old, new)
    details += _timer_details(old, new)
    old_parts, new_parts = _own_parts(old), _own_parts(new)
    for part in sorted(set(old_parts) | set(new_parts)):
        if part == "extensionElements" and details and _without_parameters(old) == _without_parameters(new):
            continue  # only service parameters changed: named one by one above
        if part == "timerEventDefinition" and _timers(old) != _timers(new):
            continue  # named with its expressions above
        if old_parts.get(part) != new_parts.get(part):
            label = PARTS.get(part, part)
            if label not in details:
                details.append(label)
    return details


def _timer_details(old, new) -> list[str]:
    """A timer's expression, before and after: 「タイマー（日時）: 「inquiry.deadline_at」→「…」」."""
    before, after = _timers(old), _timers(new)
    if before == after:
        return []
    return [f"タイマー: 「{_timer_words(before)}」→「{_timer_words(after)}」"]


def _timer_words(timer: list[tuple[str, str]]) -> str:
    kinds = {"timeDate": "日時", "timeDuration": "経過時間", "timeCycle": "繰り返し"}
    return "、".join(f"{kinds.get(kind, kind)} {text}" for kind, text in timer) or "なし"


def _timers(element) -> list[tuple[str, str]]:
    return [(etree.QName(child).localname, (child.text or "").strip())
            for definition in element.findall(f"{{{BPMN_NS}}}timerEventDefinition")
            for child in definition if isinstance(child.tag, str)]


def _parameter_details(old, new) -> list[str]:
    """A service task's parameters, one by one: 「パラメータ deadline_days: 「30」→「14」」."""
    before, after = _parameters(old), _parameters(new)
    return [f"パラメータ {name}: 「{before.get(name, '（なし）')}」→「{after.get(name, '（なし）')}」"
            for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]


def _parameters(element) -> dict[str, str]:
    """The element's own service parameters (in its extensionElements, not its children's)."""
    return {p.get("id"): p.get("value") or "" for extensions in element.findall(f"{{{BPMN_NS}}}extensionElements")
            for p in extensions.iter(f"{{{SPIFF}}}parameter")}


def _without_parameters(element) -> str:
    copy = etree.fromstring(etree.tostring(element))
    for parameter in list(copy.iter(f"{{{SPIFF}}}parameter")):
        parameter.getparent().remove(parameter)
    return "".join(etree.tostring(c, encoding="unicode").strip() for c in copy
                   if isinstance(c.tag, str) and etree.QName(c).localname == "extensionElements")


def _own_parts(element) -> dict[str, str]:
    """Child content that belongs to the element itself (children with their own id are compared on their own)."""
    parts: dict[str, list[str]] = {}
    for child in element:
        if not isinstance(child.tag, str) or (child.get("id") and not _is_event_definition(child)):
            continue
        parts.setdefault(etree.QName(child).localname, []).append(etree.tostring(child, encoding="unicode").strip())
    return {key: "\n".join(sorted(values)) for key, values in parts.items()}


def _form_changes(old: dict, new: dict) -> list[ElementChange]:
    changes = [ElementChange(n, new[n].get("title", ""), "form", "added") for n in sorted(new) if n not in old]
    changes += [ElementChange(n, old[n].get("title", ""), "form", "removed") for n in sorted(old) if n not in new]
    for name in sorted(n for n in new if n in old):
        if _canonical(old[name]) != _canonical(new[name]):
            changes.append(ElementChange(name, new[name].get("title", ""), "form", "changed",
                                         _form_details(old[name], new[name])))
    return changes


def _form_details(old: dict, new: dict) -> list[str]:
    old_props = set(old.get("schema", {}).get("properties", {}))
    new_props = set(new.get("schema", {}).get("properties", {}))
    details = [f"項目追加: {p}" for p in sorted(new_props - old_props)]
    details += [f"項目削除: {p}" for p in sorted(old_props - new_props)]
    return details or ["内容の変更"]


def _canonical(document: dict) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False)
