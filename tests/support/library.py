"""Copies of 4.1.2 under a fresh process id, so model-library tests never change the flow other tests run."""

from __future__ import annotations

import uuid
from pathlib import Path

from engine import catalog
from engine.definitions import parse_definition, read_definition_files

SHIPPED = Path(__file__).resolve().parents[2] / "bpmn" / "sokuji_touroku.bpmn"
XML, FORMS = read_definition_files(SHIPPED)


def copy_of_4_1_2(process_id: str) -> str:
    return XML.replace('processRef="sokuji_touroku"', f'processRef="{process_id}"') \
              .replace('<bpmn:process id="sokuji_touroku"', f'<bpmn:process id="{process_id}"')


def deploy_copy(product, xml: str | None = None, process_id: str | None = None, note: str = ""):
    """Deploy (a changed) copy as the active version; (process id, xml, definition)."""
    process_id = process_id or f"lib_{uuid.uuid4().hex[:8]}"
    xml = xml or copy_of_4_1_2(process_id)
    with product.session_factory.begin() as session:
        result = catalog.deploy(session, parse_definition(xml, FORMS, product.handlers), actor="manager",
                                source="test", note=note)
        return process_id, xml, catalog.get_definition(session, result.definition_id)
