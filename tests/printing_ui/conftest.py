"""Fixtures for the documents around printing: a saved office seal, closed records and PDF text."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from engine.models import AuditEvent
from handlers.base import ServiceContext
from handlers.environment import Operator
from registry.seals import records
from registry.seals.models import RecordStatus
from tests.support.auth import clock  # noqa: F401 — fixture, found by name
from tests.support.certificates import ensure_office_seal

ADMIN = Operator("admin", "admin")
CLERK = Operator("backyard", "backyard")


@pytest.fixture(scope="session")
def office_seal(product) -> None:
    """The municipality settings hold the demo office seal (saved once per database, like `inkan init`)."""
    ensure_office_seal(product)


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF without whitespace (names print with spaces between characters)."""
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def compact(text: str) -> str:
    return "".join(text.split())


def audit_events(product, kind: str) -> list[dict]:
    """Summaries of every audit event of ``kind``, oldest first."""
    with product.session_factory() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id))
        return [json.loads(e.summary_json) | {"actor": e.actor, "title": e.title} for e in events]


def close_registration(product, number: str, reason: str = "転出") -> int:
    """抹消 the record as 4.2.2 would (status, date, reason and a history entry); its id."""
    with product.session_factory.begin() as session:
        record = records.registration_by_number(session, number)
        before = records.snapshot(record)
        record.status, record.closed_on, record.close_reason = RecordStatus.DELETED, product.services.today(), reason
        session.flush()
        records.add_history(session, record, "抹消", record.closed_on, "backyard", None, before=before,
                            after=records.snapshot(record))
        return record.id


def service_context(session, product, instance_id: int) -> ServiceContext:
    return ServiceContext(session=session, actor="backyard", instance_id=instance_id, task_name="test",
                          services=product.services)


def registration_id_of(product, number: str) -> int:
    with product.session_factory() as session:
        return records.registration_by_number(session, number).id
