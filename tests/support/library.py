"""Copies of shipped flows (4.1.2, 4.1.4) under a fresh process id, so model-library tests never change the flow
other tests run."""

from __future__ import annotations

import uuid
from pathlib import Path

from engine.library import catalog
from engine.library.definitions import parse_definition, read_definition_files

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
SHIPPED = BPMN / "sokuji_touroku.bpmn"
XML, FORMS = read_definition_files(SHIPPED)
XML_4_1_4 = (BPMN / "shoukai_touroku.bpmn").read_text(encoding="utf-8")


def copy_of(xml: str, shipped_id: str, process_id: str) -> str:
    """The shipped definition `xml` (process `shipped_id`) as the process `process_id`."""
    return xml.replace(f'processRef="{shipped_id}"', f'processRef="{process_id}"') \
              .replace(f'<bpmn:process id="{shipped_id}"', f'<bpmn:process id="{process_id}"')


def copy_of_4_1_2(process_id: str) -> str:
    return copy_of(XML, "sokuji_touroku", process_id)


def copy_of_4_1_4(process_id: str) -> str:
    return copy_of(XML_4_1_4, "shoukai_touroku", process_id)


def deploy_copy(product, xml: str | None = None, process_id: str | None = None, note: str = ""):
    """Deploy (a changed) copy as the active version; (process id, xml, definition)."""
    process_id = process_id or f"lib_{uuid.uuid4().hex[:8]}"
    xml = xml or copy_of_4_1_2(process_id)
    with product.session_factory.begin() as session:
        result = catalog.deploy(session, parse_definition(xml, FORMS, product.handlers), actor="manager",
                                source="test", note=note)
        return process_id, xml, catalog.get_definition(session, result.definition_id)
