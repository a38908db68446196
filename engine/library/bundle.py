"""One file per definition, to share a procedure between cities: the BPMN, its forms and its test cases as JSON.

Import makes a draft (validated like any save); only deploy makes it a version. `write_directory` writes active
versions back in the layout of bpmn/ (name.bpmn, forms/*.json) plus cases/name.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.errors import DefinitionError, EngineError
from engine.evidence import audit
from engine.library.catalog import list_active_definitions
from engine.library.definitions import BPMN_NS
from engine.library.draft_models import DefinitionDraft
from engine.library.drafts import save_draft, suite_of
from engine.models import ProcessDefinition
from handlers.base import HandlerRegistry

__all__ = ["BUNDLE_FORMAT", "BundleInvalid", "bundle_of", "import_bundle", "read_bundle", "write_directory"]

BUNDLE_FORMAT = "inkan-definition/1"
MAX_BUNDLE_BYTES = 5 * 1024 * 1024


class BundleInvalid(EngineError):
    code = "invalid_bundle"
    http_status = 422


@dataclass
class Bundle:
    process_id: str
    bpmn_xml: str
    forms: dict[str, dict]
    cases: dict
    note: str


def bundle_of(definition: ProcessDefinition, cases: dict | None) -> dict:
    """The export document of one version."""
    return {"format": BUNDLE_FORMAT, "process_id": definition.process_id, "name": definition.name,
            "version": definition.content_hash, "note": definition.note,
            "created_by": definition.created_by, "created_at": definition.created_at.isoformat(),
            "bpmn_xml": definition.bpmn_xml, "forms": json.loads(definition.forms_json),
            "cases": cases or {"process_id": definition.process_id, "cases": []}}


def read_bundle(raw: bytes) -> Bundle:
    """Parse an export document; raise BundleInvalid naming what is wrong."""
    if len(raw) > MAX_BUNDLE_BYTES:
        raise BundleInvalid("ファイルが大きすぎます（5MBまで）")
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BundleInvalid("定義ファイルがJSONとして読めません") from None
    if not isinstance(document, dict) or document.get("format") != BUNDLE_FORMAT:
        raise BundleInvalid(f"定義ファイルの形式が違います（format は {BUNDLE_FORMAT}）")
    xml, forms, cases = document.get("bpmn_xml"), document.get("forms"), document.get("cases")
    if not isinstance(xml, str) or not xml.strip():
        raise BundleInvalid("bpmn_xml がありません")
    if not isinstance(forms, dict) or not all(isinstance(v, dict) for v in forms.values()):
        raise BundleInvalid("forms はファイル名 → フォーム定義のオブジェクトにしてください")
    if not isinstance(cases, dict):
        raise BundleInvalid("cases はテストケース文書（{process_id, cases}）にしてください")
    process_id = _process_id_of(xml)
    note = document.get("note")
    note = note if isinstance(note, str) else ""
    return Bundle(process_id, xml, forms, cases, note)


def _process_id_of(xml: str) -> str:
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise DefinitionError(f"XMLとして読めません（{exc.lineno}行目）: {exc.msg}", source="import") from None
    ids = [p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process") if p.get("isExecutable") == "true"]
    if len(ids) != 1:
        raise DefinitionError("実行可能なプロセスは1ファイルに1つだけ定義してください", source="import")
    return ids[0]


def import_bundle(session: Session, bundle: Bundle, actor: Actor, handlers: HandlerRegistry,
                  base: ProcessDefinition | None) -> tuple[DefinitionDraft, list[dict]]:
    """A new draft holding the imported definition, validated; (draft, problems)."""
    draft = DefinitionDraft(process_id=bundle.process_id, base_definition_id=base.id if base else None,
                            title=base.name if base else bundle.process_id, bpmn_xml="", forms_json="{}",
                            cases_json="{}", created_by=actor.username, updated_by=actor.username)
    session.add(draft)
    session.flush()
    audit.record(session, actor, "definition_import", title=draft.title,
                 summary={"draft_id": draft.id, "process_id": bundle.process_id})
    problems = save_draft(session, draft, actor, handlers, bpmn_xml=bundle.bpmn_xml, forms=bundle.forms,
                          cases=bundle.cases, note=bundle.note or "読込")
    return draft, problems


def write_directory(session: Session, directory: Path) -> list[Path]:
    """Write every active version as directory/<process>.bpmn, forms/*.json and cases/<process>.json."""
    written = []
    (directory / "forms").mkdir(parents=True, exist_ok=True)
    for definition in list_active_definitions(session):
        path = directory / f"{definition.process_id}.bpmn"
        path.write_text(definition.bpmn_xml, encoding="utf-8")
        written.append(path)
        for name, form in json.loads(definition.forms_json).items():
            form_path = directory / "forms" / Path(name).name
            form_path.write_text(json.dumps(form, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            written.append(form_path)
        cases = suite_of(session, definition.id)
        if cases is not None:
            (directory / "cases").mkdir(exist_ok=True)
            cases_path = directory / "cases" / f"{definition.process_id}.json"
            cases_path.write_text(json.dumps(cases, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            written.append(cases_path)
    return written
